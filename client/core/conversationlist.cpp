#include "conversationlist.h"

#include "conversation.h"

ConversationList::ConversationList(QObject *parent)
    : QAbstractListModel(parent)
{
}

int ConversationList::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_items.size());
}

QVariant ConversationList::data(const QModelIndex &index, int role) const
{
    const Conversation *conversation = at(index.row());
    if (!index.isValid() || !conversation)
        return {};
    switch (role) {
    case Qt::DisplayRole: {
        const QString name = conversation->type() == Conversation::Type::Room ? QLatin1Char('#') + conversation->name()
                                                                                : conversation->name();
        return conversation->unread() > 0 ? QStringLiteral("%1 (%2)").arg(name).arg(conversation->unread()) : name;
    }
    case PeerAwayRole: return conversation->peerAway();
    case SectionStartRole: {
        const Conversation *before = at(index.row() - 1);
        return !before || before->type() != conversation->type();
    }
    case Qt::ToolTipRole: return conversation->topic();
    case NameRole: return conversation->name();
    case TypeRole: return int(conversation->type());
    case UnreadRole: return conversation->unread();
    case MentionRole: return conversation->hasMention();
    default: return {};
    }
}

int ConversationList::indexOf(const Conversation *conversation) const
{
    return int(m_items.indexOf(conversation));
}

void ConversationList::add(Conversation *conversation)
{
    // A room goes after the other rooms, above the private conversations.
    int row = int(m_items.size());
    if (conversation->type() == Conversation::Type::Room) {
        row = 0;
        while (row < m_items.size() && m_items.at(row)->type() == Conversation::Type::Room)
            ++row;
    }
    beginInsertRows({}, row, row);
    m_items.insert(row, conversation);
    endInsertRows();
    connect(conversation, &Conversation::changed, this, [this, conversation] { changed(conversation); });
    // The row below may have stopped starting its section.
    if (row + 1 < m_items.size())
        emit dataChanged(index(row + 1), index(row + 1));
}

void ConversationList::remove(Conversation *conversation)
{
    const int row = indexOf(conversation);
    if (row < 0)
        return;
    conversation->disconnect(this);
    beginRemoveRows({}, row, row);
    m_items.removeAt(row);
    endRemoveRows();
    if (row < m_items.size())
        emit dataChanged(index(row), index(row)); // may start its section now
}

void ConversationList::changed(Conversation *conversation)
{
    const int row = indexOf(conversation);
    if (row >= 0)
        emit dataChanged(index(row), index(row));
}
