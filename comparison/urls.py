from django.urls import path

from comparison import map_views, topic_views, views

app_name = "comparison"

urlpatterns = [
    path("timeline/", views.timeline, name="timeline"),
    path("timeline/timeline.svg", views.timeline_svg, name="timeline-svg"),
    path("compare/", map_views.compare_map, name="map"),
    path("compare/map.svg", map_views.compare_map_svg, name="map-svg"),
    path("compare/map.csv", map_views.compare_map_csv, name="map-csv"),
    path("compare/topics/", topic_views.topic_index, name="topics"),
    path("compare/topics/<path:name>/", map_views.compare_topic, name="topic"),
]
