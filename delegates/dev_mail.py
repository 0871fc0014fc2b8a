"""Development mail: the console prints each email as a person reads it.

Django's console backend prints the MIME source, in which the site's emails are base64 and allauth's
quoted-printable, with links cut at 76 characters. In development (`make run`) this backend prints the
headers that matter, then the text body as written, every link whole and clickable in a terminal."""

from django.core.mail.backends.console import EmailBackend


def readable(message) -> str:
    """An email as text: sender, recipients, subject, what else it carries, then its text body."""
    lines = [f"From: {message.from_email}", f"To: {', '.join(message.to)}"]
    for name, addresses in (("Cc", message.cc), ("Bcc", message.bcc), ("Reply-To", message.reply_to)):
        if addresses:
            lines.append(f"{name}: {', '.join(addresses)}")
    lines.append(f"Subject: {message.subject}")
    alternatives = [mimetype for _content, mimetype in getattr(message, "alternatives", [])]
    if alternatives:
        lines.append(f"Also sent as: {', '.join(alternatives)}")
    for attachment in message.attachments:
        if isinstance(attachment, tuple):  # (filename, content, mimetype)
            lines.append(f"Attached: {attachment[0]} ({attachment[2] or 'unknown type'})")
        else:  # a MIME part
            lines.append(f"Attached: {attachment.get_filename() or attachment.get_content_type()}")
    return "\n".join(lines) + "\n\n" + message.body.rstrip("\n") + "\n"


class ReadableConsoleBackend(EmailBackend):
    """The console backend, printing each email decoded (see `readable`); used only when debugging."""

    def write_message(self, message):
        self.stream.write(readable(message))
        self.stream.write("-" * 79)
        self.stream.write("\n")
