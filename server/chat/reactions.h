#pragma once

#include "messages.h"

#include <QHash>

#include <optional>

// A reaction toggled by `nick` (protocol section 18): added to, or taken
// back from, the message's reactions; the same nick in any spelling counts
// once. False (nothing changed) if it would be one kind more than a
// message may have.
bool toggleReaction(std::optional<QList<Confab::Protocol::Reaction>> &reactions, const QString &emoji,
                    const QString &nick);

// A message's reactions as one reader sees them, and who sees them alike.
// The server keeps every nick behind a reaction; what it sends has the
// first few, the count, and whether the reader chose it (`mine`), so an
// event stays small however many reacted. Readers who chose the same kinds
// get the same bytes.
class ReactionView final
{
public:
    explicit ReactionView(const Confab::Protocol::ChatMessage &message);

    // The kinds (by position, one bit each) chosen by the reader with this
    // nick key.
    quint32 chosenBy(const QString &nickKey) const { return m_chosen.value(nickKey, 0); }
    // The message with its reactions as sent to a reader who chose
    // `chosen`; nullopt: as sent to no one in particular (no `mine`).
    Confab::Protocol::ChatMessage forReader(std::optional<quint32> chosen) const;

private:
    Confab::Protocol::ChatMessage m_message;
    QHash<QString, quint32> m_chosen; // by nick key
};

// Messages as the reader with this nick key sees their reactions (history,
// joined).
QList<Confab::Protocol::ChatMessage> asSeenBy(const QString &readerNickKey,
                                              QList<Confab::Protocol::ChatMessage> messages);
