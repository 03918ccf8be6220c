"""reports.login_security: the login security family."""
