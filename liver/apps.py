from django.apps import AppConfig


class LiverConfig(AppConfig):
    """The liver's lesion table: Couinaud segments, the liver map, its rows and views."""

    name = "liver"
    verbose_name = "Liver lesions"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from cases import lesion_modules
        from common.slots import slot
        from liver import lesions, views
        from liver.models import Lesion

        lesion_modules.register(
            lesion_modules.LesionModule(
                "liver", "liver/_lesions.html", "lesions", views.lesion_context,
                with_rows=(("measurements", _with_timepoints),), measure=lesions.measure,
            )
        )  # fmt: skip
        slot("cases.printed_section").register("liver/_printed_lesions.html")
        post_save.connect(_changed, sender=Lesion, dispatch_uid="liver-lesion-changed")
        post_delete.connect(_changed, sender=Lesion, dispatch_uid="liver-lesion-changed")


def _with_timepoints():
    """A lesion's measurements, each with its imaging (one query, joined)."""
    from liver.models import Measurement

    return Measurement.objects.select_related("timepoint")


def _changed(sender, instance, **kwargs) -> None:
    """A row changed: the case's printed section may have (``cases.signals``)."""
    from cases.signals import section_changed

    section_changed.send(sender=sender, case_ids=[instance.case_id])
