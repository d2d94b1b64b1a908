"""Uploaded spreadsheets waiting for their confirmation (the admin's import preview).

django-import-export keeps an upload in a file between the preview and the confirmation
(IMPORT_EXPORT_TMP_STORAGE_CLASS, `UploadStorage`). The file lives in a folder of its own and
carries a name only this module gives, so a confirmation can read back no other file. It is
removed when the preview refuses the upload, after the confirmation, and
IMPORT_UPLOAD_KEEP_MINUTES after the preview when nobody confirms it (`remove_expired_uploads`,
run at every upload and hourly).
"""

import re
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from import_export.tmp_storages import TempFolderStorage

_PREFIX = "upload-"
_NAME = re.compile(r"upload-[0-9a-f]{32}")


class UploadMissing(Exception):
    """A confirmation names no upload waiting here: it expired, or the name was made up."""


def upload_dir() -> Path:
    folder = Path(settings.IMPORT_UPLOAD_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def remove_expired_uploads(now: float | None = None) -> int:
    """Remove uploads previewed more than IMPORT_UPLOAD_KEEP_MINUTES ago; returns how many."""
    oldest = (now or time.time()) - settings.IMPORT_UPLOAD_KEEP_MINUTES * 60
    count = 0
    for path in upload_dir().glob(_PREFIX + "*"):
        try:
            if path.stat().st_mtime < oldest:
                path.unlink()
                count += 1
        except FileNotFoundError:
            pass  # removed meanwhile by its confirmation or another process
    return count


class UploadStorage(TempFolderStorage):
    """An upload's file in `upload_dir()`, under a name of ours."""

    def save(self, data):
        remove_expired_uploads()
        self.name = f"{_PREFIX}{uuid.uuid4().hex}"
        with open(self.get_full_path(), "wb") as file:
            file.write(data if isinstance(data, bytes) else data.encode(self.encoding or "utf-8"))

    def read(self):
        if not self._ours() or not Path(self.get_full_path()).exists():
            raise UploadMissing(self.name)
        return super().read()

    def remove(self):
        if self._ours():
            Path(self.get_full_path()).unlink(missing_ok=True)

    def get_full_path(self):
        return str(upload_dir() / self.name)

    def _ours(self):
        return bool(_NAME.fullmatch(self.name or ""))


class TemporaryUploads:
    """Admin mixin (before ImportMixin): an upload's file goes when the preview refuses it and
    after its confirmation; a confirmation whose file is gone asks for the upload again."""

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        form = context.get("form")
        if request.method == "POST" and not context.get("confirm_form") and form is not None:
            upload = getattr(form, "cleaned_data", {}).get("import_file")
            name = getattr(upload, "tmp_storage_name", None)
            if name:
                UploadStorage(name=name).remove()
        return response

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except UploadMissing:
            messages.error(request, _("上传的文件已过期或不存在,请重新上传。"))
            opts = self.model._meta
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_import")
        finally:
            UploadStorage(name=request.POST.get("import_file_name", "")).remove()
