"""The guide's suggested interview questions, by category.

Taken from the guide's "Interview Questions" with its typos fixed. Each question
has a stable id (``category-n``) so a user can mark the ones they mean to ask
(``--ask job-2`` on ``outreach prep``, or an ``ask:job-2`` tag on the contact)
and the prep sheet can show them marked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    id: str
    category: str
    text: str


@dataclass(frozen=True)
class Category:
    key: str
    title: str
    questions: tuple[Question, ...]


def _category(key: str, title: str, texts: Iterable[str]) -> Category:
    questions = tuple(Question(f"{key}-{n}", key, t) for n, t in enumerate(texts, 1))
    return Category(key, title, questions)


#: The question bank, in the guide's order.
CATEGORIES: tuple[Category, ...] = (
    _category(
        "qualifications",
        "Qualifications",
        (
            "How did you get into your position?",
            "What knowledge, skills or experience are necessary to qualify for your position?",
        ),
    ),
    _category(
        "training",
        "Training and work experience",
        (
            "What types of formal training (if any) have you had?",
            "What other training or experiences have you had that were helpful to you?",
            "What kinds of training or experience would be helpful to a person entering "
            "your field now?",
            "What other fields have you worked in over the years? If you have changed, "
            "what led to the change?",
            "What types of activities are you involved in that support your professional "
            "development (for example professional societies or associations, professional "
            "journals or newsletters)?",
            "What advice would you have for someone considering your field or a similar position?",
        ),
    ),
    _category(
        "job",
        "Job specifications",
        (
            "Could you briefly describe a typical day's activities?",
            "What are the key tasks and responsibilities associated with your position?",
            "What are the skills and abilities that are needed to be effective in your "
            "job function?",
            "What are the main challenges or frustrations you encounter in your work?",
            "What are the goals of your particular work group or organization? How does "
            "your job function fit into those overall goals?",
            "What future changes (technological, economic, social, etc.) may impact the "
            "nature of your job or career field?",
            "What are the possible career paths in this field? In this organization?",
            "What salary ranges are associated with jobs in this field?",
            "What is the likely job classification for an employee with my skills and experience?",
        ),
    ),
    _category(
        "environment",
        "Work environment",
        (
            "How would you describe the work conditions and environment within this "
            "work group or department?",
            "How is this work perceived by senior management? By customers?",
            "What is the managerial style or philosophy that governs this work group "
            "or department?",
            "In your position, who do you interact with on a regular basis? How often?",
        ),
    ),
    _category(
        "referrals",
        "Referrals",
        (
            "Are there other related fields I should explore?",
            "Could you suggest other people in this field or related fields I should contact?",
        ),
    ),
)

#: Every question by id.
BY_ID: dict[str, Question] = {q.id: q for c in CATEGORIES for q in c.questions}

#: Tag prefix on a contact that marks a chosen question, e.g. ``ask:job-2``.
ASK_TAG = "ask:"


def chosen_from_tags(tags: Iterable[str]) -> set[str]:
    """Given a contact's tags, return the question ids marked with ``ask:<id>``."""
    return {t[len(ASK_TAG) :] for t in tags if t.startswith(ASK_TAG)}


def unknown_ids(ids: Iterable[str]) -> list[str]:
    """Return the ids that name no question (for a clear message), in order given."""
    return [i for i in ids if i not in BY_ID]
