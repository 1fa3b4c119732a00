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
        kinds.append(Reaction{emoji, {nick}, std::nullopt, std::nullopt});
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

ReactionView::ReactionView(const ChatMessage &message)
    : m_message(message)
{
    if (!message.reactions)
        return;
    for (qsizetype kind = 0; kind < message.reactions->size() && kind < 32; ++kind) {
        for (const QString &nick : message.reactions->at(kind).nicks)
            m_chosen[nameKey(nick)] |= quint32(1) << kind;
    }
}

ChatMessage ReactionView::forReader(std::optional<quint32> chosen) const
{
    ChatMessage message = m_message;
    if (!message.reactions)
        return message;
    for (qsizetype kind = 0; kind < message.reactions->size(); ++kind) {
        Reaction &reaction = (*message.reactions)[kind];
        reaction.count = int(reaction.nicks.size());
        reaction.nicks = reaction.nicks.mid(0, Defaults::ReactionNicksShown);
        if (chosen)
            reaction.mine = kind < 32 && (*chosen & (quint32(1) << kind)) != 0;
    }
    return message;
}

QList<ChatMessage> asSeenBy(const QString &readerNickKey, QList<ChatMessage> messages)
{
    for (ChatMessage &message : messages) {
        if (message.reactions) {
            const ReactionView view(message);
            message = view.forReader(view.chosenBy(readerNickKey));
        }
    }
    return messages;
}
