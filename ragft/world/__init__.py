"""The course world: a seeded, fictional world of static and daily-changing facts.

No pre-trained model can know it, and every number in the course reproduces from its seed.
Static facts (towns, companies, people and their attributes) never change; a day clock brings
dynamic facts (weather per town, a stock close per company, corporate news). Every fact renders
as document sentences, as several paraphrased statements, and as question/answer pairs whose
wordings are split into a training set and a held-out set.

* `registry.py`: what a kind of fact is (`Attribute`) and the registry the rest derives from;
* `attributes.py`: the vocabularies and the world's attributes, one registry entry each;
* `world.py`: `Fact`, `QA`, `Doc` and the `World` that draws them.
* `sealed.py`: the sealed test split (days and question wordings) that only final figures read.
* `unseen.py`: `StaticWorld` (a world of given static facts) and `unseen_world` (entities the course model never saw).
"""

from ragft.world.attributes import CONDITIONS, PROFESSIONS, REGIONS, SECTORS  # importing it fills the registry
from ragft.world.registry import (ATTRIBUTES, DOC_KINDS, DYNAMIC_ATTRIBUTES, ENTITY_KINDS, N_TRAIN_WORDINGS,
                                  NEWS_ATTRIBUTES, PERSON_VALUED, QUESTIONS, STATEMENTS, Attribute, Choice, Draw,
                                  Number, RandomWalk, one_of, random_walk, register, registered, walk_value, year)
from ragft.world.world import QA, Doc, Fact, World
from ragft.world.unseen import StaticWorld, unseen_world  # noqa: E402  (after World: it subclasses it)

__all__ = ["ATTRIBUTES", "CONDITIONS", "DOC_KINDS", "DYNAMIC_ATTRIBUTES", "ENTITY_KINDS", "N_TRAIN_WORDINGS",
           "NEWS_ATTRIBUTES", "PERSON_VALUED", "PROFESSIONS", "QA", "QUESTIONS", "REGIONS", "SECTORS", "STATEMENTS",
           "Attribute", "Choice", "Doc", "Draw", "Fact", "Number", "RandomWalk", "StaticWorld", "World", "one_of",
           "random_walk", "register", "registered", "unseen_world", "walk_value", "year"]
