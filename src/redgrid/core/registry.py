"""Extension points other apps fill in their AppConfig.ready (keeps core free of app imports)."""

# H5 home tiles: {"url_name", "label", "icon", "members_only", "roles"}
H5_TILES: list[dict] = []


def add_h5_tile(
    url_name: str, label: str, icon: str, *, members_only: bool = False, roles: tuple[str, ...] = ()
) -> None:
    """`roles`: show the tile only to accounts holding one of these grants (e.g. grid workers)."""
    if not any(t["url_name"] == url_name for t in H5_TILES):
        H5_TILES.append(
            {"url_name": url_name, "label": label, "icon": icon, "members_only": members_only, "roles": roles}
        )
