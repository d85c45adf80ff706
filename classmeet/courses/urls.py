app_name = "courses"
urlpatterns: list[object] = []
