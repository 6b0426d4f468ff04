"""Rank stage -> group -> category for a text, pick people and a channel, and say why.

Three kinds of evidence vote, each as shares that sum to 1 over the directory's stages and groups:
- docs ownership: the best-matching docs pages and the stage/group their front matter names (any time's
  names, resolved through the alias table), weighted by how well each page matches;
- the directory's own words: category names, feature labels and descriptions (BM25 over categories);
- history: stage/group of similar tickets an expert answered, weighted by similarity.
The stage with the most weighted evidence wins; its group and category follow the same votes within it.
A `Router` holds everything it reads (directory, people, routes, history) so a batch routes without queries.
"""

from __future__ import annotations

import fnmatch
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from communitydesk.docs import service as docs
from communitydesk.docs.backend import SearchBackend
from communitydesk.docs.schemas import Suggestion
from communitydesk.routing.directory import (
    CategoryInfo,
    GroupInfo,
    PastAnswer,
    PersonInfo,
    RouteInfo,
    StageInfo,
    docs_path,
)
from communitydesk.routing.lexicon import Lexicon, LexiconMatch, words
from communitydesk.routing.schemas import ExpertSuggestion, Ranked, Routing
from communitydesk.routing.votes import cosine, rank_owners, shares_of
from communitydesk.settings.experts import RoutingSettings
from communitydesk.taxonomy.aliases import Owner, Resolver

# How much each kind of evidence counts (the shares of each kind sum to 1 before weighting).
DOCS_WEIGHT = 0.6
LEXICON_WEIGHT = 0.4
HISTORY_WEIGHT = 0.8
SIMILAR_ENOUGH = 0.4  # cosine similarity above which a past answer counts as "a similar ticket"
_KINDS = ("docs pages", "category terms", "past answers")  # the kinds of evidence, in route()'s order
# A docs page's vote: (its score / the first page's score) ** power, less for each rank below the first.
_PAGE_SCORE_POWER = 2.0
_PAGE_RANK_DECAY = 0.15
_LEXICON_CATEGORIES = 10
# Roles of directory people suggested for a group, in the order they are asked.
_DIRECTORY_ROLES = (
    ("pm", "product manager"),
    ("backend_engineering_manager", "engineering manager"),
    ("frontend_engineering_manager", "frontend engineering manager"),
    ("support", "support stable counterpart"),
    ("tech_writer", "technical writer"),
)
_PLACEHOLDER_PEOPLE = frozenset({"", "tbd", "n/a", "none", "-"})


@dataclass
class Router:
    """The directory, people, routes and history, ready to route many texts."""

    resolver: Resolver
    stages: dict[str, StageInfo]
    groups: dict[str, GroupInfo]
    categories: dict[str, CategoryInfo]
    lexicon: Lexicon
    people: dict[str, PersonInfo] = field(default_factory=dict)
    routes: list[RouteInfo] = field(default_factory=list)
    history: list[PastAnswer] = field(default_factory=list)
    settings: RoutingSettings = field(default_factory=RoutingSettings)
    index: SearchBackend | None = None
    exclude_docs: tuple[str, ...] = ()

    @property
    def fallback_channel(self) -> str:
        for route in self.routes:
            if route.kind == "fallback" and route.channel:
                return route.channel
        return self.settings.fallback_channel

    # --- evidence -------------------------------------------------------------------------------------

    def _docs(self, text: str) -> tuple[list[tuple[Suggestion, Owner, float]], float]:
        """Return the best docs pages with their directory owner and vote weight, and docs confidence."""
        if self.index is None or self.settings.docs_pages <= 0:
            return [], 0.0
        wanted = self.settings.docs_pages
        result = docs.suggest(self.index, text, top=wanted + (5 if self.exclude_docs else 0))
        pages = [page for page in result.suggestions if not self._excluded(page.path)][:wanted]
        if not pages:
            return [], 0.0
        best = pages[0].score or 1.0
        voted = []
        for rank, page in enumerate(pages):
            owner = self.resolver.owner(page.stage, page.group)
            weight = (max(page.score, 0.0) / best) ** _PAGE_SCORE_POWER / (1 + _PAGE_RANK_DECAY * rank)
            voted.append((page, owner, weight))
        return voted, result.confidence

    def _excluded(self, path: str) -> bool:
        return any(fnmatch.fnmatch(path, pattern) for pattern in self.exclude_docs)

    @cached_property
    def _history_idf(self) -> dict[str, float]:
        """Each word's idf over the past answers: a word most tickets use ("thanks", "deprecated") makes no
        two of them similar. (The directory's idf would call such words, absent from it, the most telling.)"""
        counts = Counter(word for answer in self.history for word in answer.words)
        return {word: math.log(1 + len(self.history) / count) for word, count in counts.items()}

    def _similar_answers(self, text_words: Sequence[str]) -> list[tuple[PastAnswer, float]]:
        if not self.history:
            return []
        mine = set(text_words)
        found = []
        for answer in self.history:
            similarity = cosine(mine, answer.words, self._history_idf)
            if similarity >= SIMILAR_ENOUGH:
                found.append((answer, similarity))
        found.sort(key=lambda pair: pair[1], reverse=True)
        return found[:5]

    # --- routing ---------------------------------------------------------------------------------------

    def route(self, text: str, *, channel: str | None = None, url: str | None = None) -> Routing:
        """Route a text (of a mention on `channel` at `url`, when known)."""
        routing = Routing()
        pages, docs_confidence = self._docs(text)
        matches = self.lexicon.match(text, limit=_LEXICON_CATEGORIES)
        text_words = words(text)
        similar = self._similar_answers(text_words)

        kinds = [
            (weight, shares_of(votes))
            for weight, votes in (
                (DOCS_WEIGHT, [(owner, weight) for _, owner, weight in pages]),
                (LEXICON_WEIGHT, [(Owner(m.category.stage, m.category.group), m.score) for m in matches]),
                (HISTORY_WEIGHT, [(Owner(a.stage, a.group), s) for a, s in similar]),
            )
        ]
        # Stages: the one most kinds of evidence agree on. Groups within it: the most evidence, summed, as
        # the kinds often split a stage's work differently (2022 categories, 2026 docs owners).
        stage_votes = rank_owners([(weight, stages) for weight, (stages, _) in kinds], by_product=True)
        routing.stages = [Ranked(key, self.stages[key].name, share) for key, share in stage_votes]
        stage = routing.stage.key if routing.stage else None
        if stage is not None:
            in_stage = [
                (weight, {key: v for key, v in groups.items() if self.groups[key].stage == stage})
                for weight, (_, groups) in kinds
            ]
            routing.groups = [
                Ranked(key, self.groups[key].name, share)
                for key, share in rank_owners(in_stage, by_product=False)
            ]
        routing.categories = self._categories(routing, matches, pages)

        lexical_strength = 1 - math.exp(-(matches[0].score if matches else 0.0) / 8)
        evidence = max(docs_confidence, lexical_strength)
        share = routing.stage.share if routing.stage else 0.0
        # Share says how clearly one stage wins; evidence how much there is to win with (one weak word is
        # a clear but worthless win).
        routing.confidence = share * evidence

        backing: dict[str, list[str]] = defaultdict(list)
        for name, (_, (stages, _)) in zip(_KINDS, kinds, strict=True):
            for key in stages:
                backing[key].append(name)
        self._explain(routing, pages, matches, similar, backing)
        matched_routes = self._special_routes(text)
        routing.routes = [route.key for route in matched_routes]
        routing.experts = self._experts(routing, matched_routes, similar, channel, url)
        self._choose_channel(routing, matched_routes)
        return routing

    def _categories(
        self,
        routing: Routing,
        matches: Sequence[LexiconMatch],
        pages: Sequence[tuple[Suggestion, Owner, float]],
    ) -> list[Ranked]:
        group = routing.group.key if routing.group else None
        stage = routing.stage.key if routing.stage else None
        if stage is None:
            return []
        votes: dict[str, float] = defaultdict(float)
        best = matches[0].score if matches else 1.0
        for match in matches:
            if match.category.group == group or (group is None and match.category.stage == stage):
                votes[match.category.key] += match.score / best

        def in_scope(category: CategoryInfo) -> bool:
            return category.group == group or (group is None and category.stage == stage)

        for page, _, weight in pages[:3]:
            linked = self._categories_of_page(page.page_url, in_scope)
            for category in linked:
                votes[category.key] += 0.5 * weight / len(linked)
        if not votes and group is not None:
            own = [c for c in self.categories.values() if c.group == group]
            if len(own) == 1:
                votes[own[0].key] = 1.0
        total = sum(votes.values()) or 1.0
        return [
            Ranked(key, self.categories[key].name, value / total)
            for key, value in sorted(votes.items(), key=lambda item: item[1], reverse=True)
        ]

    def _categories_of_page(self, url: str, in_scope: Callable[[CategoryInfo], bool]) -> list[CategoryInfo]:
        """Return the categories (of those in scope) that a docs page (its public URL) documents.

        The categories whose features link to exactly this page, else the one whose documentation is the
        longest folder holding it.
        """
        page = docs_path(url)
        scoped = [category for category in self.categories.values() if in_scope(category)]
        linked = [category for category in scoped if page in category.feature_pages]
        if linked:
            return linked
        folders = [c for c in scoped if c.docs_path and page.startswith(c.docs_path)]
        return [max(folders, key=lambda c: len(c.docs_path or ""))] if folders else []

    def _explain(
        self,
        routing: Routing,
        pages: Sequence[tuple[Suggestion, Owner, float]],
        matches: Sequence[LexiconMatch],
        similar: Sequence[tuple[PastAnswer, float]],
        backing: dict[str, list[str]],
    ) -> None:
        stage = routing.stage.key if routing.stage else None
        for match in matches[:3]:
            if match.category.stage != stage:
                continue
            terms = ", ".join(f"'{term}'" for term in (match.shown or match.terms)[:5])
            where = "/".join(part for part in (match.category.stage, match.category.group) if part)
            feature = f", feature '{match.feature}'" if match.feature else ""
            routing.reasons.append(
                f"matched category terms {terms}: {match.category.name} ({where}){feature}"
            )
        owned = [(page, owner) for page, owner, _ in pages if owner.stage == stage][:3]
        for page, owner in owned:
            names = " / ".join(part for part in (page.stage, page.group) if part)
            target = "/".join(part for part in (owner.stage, owner.group) if part)
            routing.reasons.append(f"docs page '{page.title}' ({page.path}) is owned by {names} -> {target}")
        for answer, similarity in similar[:2]:
            person = self.people.get(answer.person_key)
            who = person.name if person else answer.person_key
            routing.reasons.append(
                f"{who} answered a similar ticket #{answer.ticket_id} (similarity {similarity:.2f})"
            )
        if routing.stage and routing.stages[1:]:
            winner, runner_up = routing.stage, routing.stages[1]
            reason = (
                f"stage {winner.key} has {winner.share:.0%} of the evidence "
                f"(next: {runner_up.key} {runner_up.share:.0%})"
            )
            if runner_up.share > winner.share:
                reason += (
                    f"; {winner.key} is backed by {' and '.join(backing.get(winner.key, []))}, "
                    f"{runner_up.key} by {' and '.join(backing.get(runner_up.key, []))} only"
                )
            routing.reasons.append(reason)

    def _special_routes(self, text: str) -> list[RouteInfo]:
        """Return the routes whose phrases the text uses, the one with most distinct phrases first."""
        lowered = " ".join(text.lower().split())
        hits = []
        for route in self.routes:
            if route.pattern is not None:
                found = {match.group(0) for match in route.pattern.finditer(lowered)}
                if found:
                    hits.append((len(found), route))
        hits.sort(key=lambda hit: hit[0], reverse=True)
        return [route for _, route in hits]

    def _experts(
        self,
        routing: Routing,
        routes: Sequence[RouteInfo],
        similar: Sequence[tuple[PastAnswer, float]],
        channel: str | None,
        url: str | None,
    ) -> list[ExpertSuggestion]:
        chosen: dict[str, ExpertSuggestion] = {}

        def add(name: str, why: str, person: PersonInfo | None = None, role: str | None = None) -> None:
            person = person or self._person_named(name)
            key = person.name if person else name
            if key in chosen or len(chosen) >= self.settings.max_experts:
                return
            chosen[key] = ExpertSuggestion(
                name=person.name if person else name,
                role=(person.role if person and person.role else role),
                slack_user_id=person.slack_user_id if person else None,
                person_key=person.key if person else None,
                why=why,
            )

        if channel == "blog_comment" and url:
            author = self._blog_author(url)
            if author is not None and author.team_member:
                add(author.name, "the blog post's author", author)
            elif author is not None:
                routing.reasons.append(
                    f"the blog post's author {author.name} is not a team member: ask the content team"
                )
        for answer, similarity in similar:
            person = self.people.get(answer.person_key)
            if person is not None:
                add(person.name, f"answered a similar ticket #{answer.ticket_id} ({similarity:.2f})", person)
        unsure = routing.confidence < self.settings.confidence_threshold
        if unsure:  # not clearly a product area: the special routes' people first
            self._add_route_people(routes, add)
        stage = routing.stage.key if routing.stage else None
        group = routing.group.key if routing.group else None
        category = routing.category.key if routing.category else None
        if group and any(route.kind == "direction" for route in routes):
            for name in _names(self.groups[group].people.get("pm")):
                add(name, "product manager of the group (a direction question)", role="product manager")
        for kind, key in (("categories", category), ("groups", group), ("stages", stage)):
            if key is None:
                continue
            for person in self.people.values():
                if key in person.expertise.get(kind, []) and person.team_member:
                    add(person.name, f"expert in {kind[:-1]} {key}", person)
        self._add_route_people(routes, add)
        if group:
            for field_name, role in _DIRECTORY_ROLES:
                for name in _names(self.groups[group].people.get(field_name)):
                    add(name, f"{role} of {self.groups[group].name} (directory)", role=role)
        if stage:
            for route in self.routes:
                if route.kind != "support":
                    continue
                stages = route.attributes.get("stages")
                keys = stages.get(stage, []) if isinstance(stages, dict) else []
                for person_key in keys:
                    person = self.people.get(str(person_key))
                    if person is not None:
                        add(person.name, f"support stable counterpart for {stage}", person)
            for name in _names(self.stages[stage].people.get("pm")):
                add(name, f"product manager of stage {stage} (directory)", role="product manager")
        return list(chosen.values())

    def _add_route_people(self, routes: Sequence[RouteInfo], add: Callable[..., None]) -> None:
        for route in routes:
            if route.kind != "topic":
                continue
            for person_key in route.people:
                person = self.people.get(person_key)
                if person is not None:
                    add(person.name, route.topic, person)

    def _person_named(self, name: str) -> PersonInfo | None:
        return next((person for person in self.people.values() if person.name == name), None)

    def _blog_author(self, url: str) -> PersonInfo | None:
        for route in self.routes:
            posts = route.attributes.get("posts") if route.kind == "blog_author" else None
            if not isinstance(posts, dict):
                continue
            for post_url, person_key in sorted(posts.items(), key=lambda item: len(item[0]), reverse=True):
                if url.startswith(post_url):
                    return self.people.get(str(person_key))
        return None

    def _choose_channel(self, routing: Routing, routes: Sequence[RouteInfo]) -> None:
        threshold = self.settings.confidence_threshold
        if routing.stage is not None and routing.confidence >= threshold:
            group = self.groups[routing.group.key] if routing.group else None
            routing.channel = (group.channel if group else None) or self.stages[routing.stage.key].channel
            if routing.channel:
                return
        topic = next((route for route in routes if route.kind == "topic"), None)
        routing.fallback = True
        if topic is not None:
            routing.channel = topic.channel or self.fallback_channel
            mention = f" mentioning {topic.slack_mention}" if topic.slack_mention else ""
            routing.reasons.append(
                f"confidence {routing.confidence:.2f} below {threshold:.2f}; the text is about "
                f"{topic.topic.lower()}: ask in {routing.channel}{mention}"
            )
            return
        routing.channel = self.fallback_channel
        routing.reasons.append(
            f"confidence {routing.confidence:.2f} below {threshold:.2f}: ask in {routing.channel}"
        )


def _names(value: object) -> list[str]:
    """Return the people a directory field names (text or a list), without placeholders."""
    items = value if isinstance(value, list) else [value]
    return [
        str(item).strip()
        for item in items
        if isinstance(item, str) and item.strip().lower() not in _PLACEHOLDER_PEOPLE
    ]
