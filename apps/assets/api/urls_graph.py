"""Routes of the asset graph: assets, relations, participants, business objects."""

urlpatterns = []
