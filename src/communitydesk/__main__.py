from communitydesk.cli.main import app

app()
