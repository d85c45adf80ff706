app_name = "rooms"
urlpatterns: list[object] = []
