#include "typingsender.h"

#include "conversation.h"

using namespace Confab::Protocol;

std::optional<Typing> TypingSender::notice(const Conversation *conversation, bool typing, qint64 nowMs)
{
    const auto last = m_sentAt.constFind(conversation);
    if (typing && last != m_sentAt.constEnd() && nowMs - *last < RenewMs)
        return std::nullopt;
    if (!typing && last == m_sentAt.constEnd())
        return std::nullopt;
    Typing notice{std::nullopt, std::nullopt, std::nullopt, typing ? std::nullopt : std::optional<bool>(true)};
    if (conversation->type() == Conversation::Type::Room)
        notice.room = conversation->name();
    else
        notice.to = conversation->name();
    if (typing)
        m_sentAt.insert(conversation, nowMs);
    else
        m_sentAt.remove(conversation);
    return notice;
}
