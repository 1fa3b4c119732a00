#pragma once

#include "messages.h"

// A reaction toggled by `nick` (protocol section 18): added to, or taken
// back from, the message's reactions; the same nick in any spelling counts
// once. False (nothing changed) if it would be one kind more than a
// message may have.
bool toggleReaction(std::optional<QList<Confab::Protocol::Reaction>> &reactions, const QString &emoji,
                    const QString &nick);
