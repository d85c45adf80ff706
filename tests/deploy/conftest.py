from tests.deploy.fixtures import deploy_browser, open_room_page, stack_dir, start_stack  # noqa: F401
