#include "reactions.h"

#include "defaults.h"
#include "names.h"

#include <algorithm>

using namespace Confab::Protocol;

bool toggleReaction(std::optional<QList<Reaction>> &reactions, const QString &emoji, const QString &nick)
{
    QList<Reaction> kinds = reactions.value_or(QList<Reaction>());
    auto reaction = std::find_if(kinds.begin(), kinds.end(), [&](const Reaction &r) { return r.emoji == emoji; });
    if (reaction == kinds.end()) {
        if (kinds.size() >= Defaults::MaxReactionKinds)
            return false;
        kinds.append(Reaction{emoji, {nick}});
    } else {
        const QString key = nameKey(nick);
        const auto mine = std::find_if(reaction->nicks.begin(), reaction->nicks.end(),
                                       [&](const QString &other) { return nameKey(other) == key; });
        if (mine == reaction->nicks.end())
            reaction->nicks.append(nick);
        else
            reaction->nicks.erase(mine);
        if (reaction->nicks.isEmpty())
            kinds.erase(reaction);
    }
    reactions = kinds.isEmpty() ? std::nullopt : std::optional<QList<Reaction>>(kinds);
    return true;
}
