"""assets.login_security: the login security family."""
