"""What ``portalytics dashboard`` serves: the Streamlit app (dashboard/app.py) plus the session-cookie routes.

``streamlit run dashboard/asgi.py`` finds the ``st.App`` below and serves it with uvicorn (Streamlit's public
ASGI entry point, no patching of its internals); the routes are dashboard/session_routes.py. The app script
itself stays dashboard/app.py, which the AppTest suite runs directly.
"""

from pathlib import Path

import streamlit as st

from dashboard.session_routes import routes

app = st.App(Path(__file__).resolve().parent / "app.py", routes=routes())
