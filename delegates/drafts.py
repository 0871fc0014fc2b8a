"""Where a session keeps what someone typed until their next page (a refused registration form, an
import preview): named here once, for the views that keep them and the purge that drops them."""

IMPORT_PREVIEW = "delegates:import"


def registration_form(event_pk: int) -> str:
    """The session key of a refused registration form of this edition."""
    return f"registration-form:{event_pk}"


def of_edition(data: dict, event_pk: int) -> list[str]:
    """The keys of a session's data that hold a draft of this edition."""
    keys = [registration_form(event_pk)] if registration_form(event_pk) in data else []
    preview = data.get(IMPORT_PREVIEW)
    if isinstance(preview, dict) and preview.get("event") == event_pk:
        keys.append(IMPORT_PREVIEW)
    return keys
