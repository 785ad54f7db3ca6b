"""The source texts the catalogue's derivations come from, cited by title and author.

A derivation's ``sources`` are these citations (prose, shown in every
document); a derivation with none is a standard one, derived here without a
source text.
"""
from __future__ import annotations

#: The question on Cross Validated that asks how the cross-entropy and the log-likelihood relate.
CROSS_VALIDATED_QUESTION = ("Xyand, \u201cWhat is the relation between the general cross entropy and "
                            "log-likelihood?\u201d, question and answers, Cross Validated, 2018")
#: The answer on Data Science Stack Exchange that goes from the MAP estimate to the cross-entropy loss.
DATA_SCIENCE_ANSWER = ("answer on how the log-likelihood of multi-class classification relates to the "
                       "cross-entropy loss, Data Science Stack Exchange")
#: Andrew M. Webb's blog post.
WEBB_2017 = "Andrew M. Webb, \u201cCross Entropy and Log Likelihood\u201d, blog post, May 2017"
#: The blog post that derives the binary cross-entropy from the Bernoulli likelihood.
BERNOULLI_POST = ("blog post on the relation of cross-entropy and negative log-likelihood "
                  "(likelihood, log-likelihood, negative log-likelihood, cross-entropy), author not named")
