from tests.deploy.fixtures import browser, open_room_page, stack_dir, start_stack  # noqa: F401
