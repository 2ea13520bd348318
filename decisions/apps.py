from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = "Decisions"

    def ready(self) -> None:
        # Guideline items name plan modalities by code; the list is ours (guidelines
        # cannot import it), so we tell it where to check them.
        from decisions.models import Modality
        from guidelines import models as guidelines

        guidelines.modality_names = lambda: dict(Modality.objects.values_list("code", "name"))
