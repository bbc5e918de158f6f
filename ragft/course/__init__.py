"""The course's tooling, kept apart from the science it teaches: the exercises' self-checks (`checks`),
the lessons' quizzes (`quiz`), the widgets (`widgets`), the lessons' figures (`figures`), the map of the
ecosystem (`ecosystem`), the benchmark (`bench`), the notebook runner (`runner`), the notebooks' running
times (`times`), the numbers the prose quotes from the results (`quotes`), the course site (`site`), the
environment self-check (`envcheck`) and the kernel extension (`kernel`).

Nothing in the science modules (`ragft.world`, `ragft.lm`, `ragft.rag`, ...) imports from here.
"""
