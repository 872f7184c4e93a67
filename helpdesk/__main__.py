from helpdesk.cli.main import run

run()
