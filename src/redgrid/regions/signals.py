from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from redgrid.regions.models import Region


@receiver(post_save, sender=Region, dispatch_uid="grid-index-save")
@receiver(post_delete, sender=Region, dispatch_uid="grid-index-delete")
def _grid_changed(sender, instance, **kwargs):
    if instance.level == Region.Level.GRID:
        from redgrid.regions.locate import invalidate_grid_index

        invalidate_grid_index()
