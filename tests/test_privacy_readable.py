"""The access-request files a visitor can read: local times to the second and words, not
codes (issue 19: UTC with microseconds and `knowledge_migrant` were shown)."""

from __future__ import annotations

import json
from pathlib import Path

from frontdesk.services import Actor, Services
from frontdesk.services.visitors import VisitorInput


def test_access_request_shows_local_times_and_words(
    services: Services, lead: Actor, clerk: Actor, tmp_path: Path
) -> None:
    services.clock.advance(microseconds=123456)  # type: ignore[attr-defined]
    visitor, ticket = services.queue.register_walk_in(
        clerk,
        VisitorInput(
            given_names="Priya", family_name="Raman", category="knowledge_migrant", nationality="IN"
        ),
    )
    services.queue.call_next(clerk, 1)
    services.queue.no_show(clerk, ticket.id)
    services.queue.log_contact(clerk, "video", "Asked about the 30% ruling", 10, visitor.id)
    files = services.privacy.export(lead, visitor.id, tmp_path)
    data = json.loads(files.json_path.read_text(encoding="utf-8"))
    # 10:00 in Leiden (UTC+1 in November), to the second, with its offset
    assert data["visitor"]["created_at"] == "2026-11-23T10:00:00+01:00"
    assert data["exported_at"] == "2026-11-23T10:00:00+01:00"
    assert data["visitor"]["category"] == "Knowledge migrant"
    assert data["visitor"]["nationality"] == "India (IN)"
    [visit] = data["visits"]
    assert visit["status"] == "No-show" and visit["source"] == "Walk-in"
    assert visit["arrived_at"] == "2026-11-23T10:00:00+01:00"
    assert [e["action"] for e in visit["timeline"]] == ["Issued", "Called", "No show"]
    assert data["contacts"][0]["channel"] == "Video call"
    assert data["contacts"][0]["topic"] == "Asked about the 30% ruling"  # free text as typed
    markdown = files.markdown_path.read_text(encoding="utf-8")
    assert "Exported 23-11-2026 10:00 by Lea Lead" in markdown
    assert "**category**: Knowledge migrant" in markdown
    assert "| arrived at |" in markdown and "| 23-11-2026 10:00 |" in markdown
    for raw in ("knowledge_migrant", "no_show", ".123456", "+00:00", "09:00:00"):
        assert raw not in markdown and raw not in files.json_path.read_text(encoding="utf-8")
