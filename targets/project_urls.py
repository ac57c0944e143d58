"""项目库 and 一项目一台账: the library, each project's ledger, its files and rows."""

from __future__ import annotations

from django.urls import path

from .views import project_edit, projects

PROJECT = "projects/<int:project_id>/"
ROW = "projects/rows/<int:entry_id>/"

urlpatterns = [
    path("projects/", projects.projects, name="projects"),
    path("projects/new/", project_edit.project_new, name="project-new"),
    path(PROJECT, projects.project_ledger, name="project-ledger"),
    path(f"{PROJECT}edit/", project_edit.project_edit, name="project-edit"),
    path(f"{PROJECT}ledger.xlsx", projects.project_ledger_xlsx, name="project-ledger-xlsx"),
    path(f"{PROJECT}files/", projects.project_file_attach, name="project-file-attach"),
    path(f"{PROJECT}rows/new/", projects.project_entry_new, name="project-entry-new"),
    path(ROW, projects.project_entry_edit, name="project-entry-edit"),
    path(f"{ROW}submit/", projects.project_entry_submit, name="project-entry-submit"),
    path(f"{ROW}review/", projects.project_entry_review, name="project-entry-review"),
    path("projects/files/<int:file_id>/", projects.project_file, name="project-file"),
    path(
        "projects/files/<int:file_id>/remove/",
        projects.project_file_remove,
        name="project-file-remove",
    ),
]
