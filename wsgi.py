from fundraiser import create_app

app = create_app()
