#pragma once

#include <QAbstractListModel>
#include <QList>

class Conversation;

// The sidebar: rooms first, then private conversations, each in the order
// they were opened, with unread counts.
class ConversationList final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConversationList)

public:
    enum Role {
        NameRole = Qt::UserRole + 1,
        TypeRole,   // Conversation::Type as int
        UnreadRole,
        MentionRole,
        PeerAwayRole,     // a private conversation's other person is away: why
        SectionStartRole, // the first row of its kind: the sidebar puts a heading above it
    };

    explicit ConversationList(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    Conversation *at(int row) const { return m_items.value(row); }
    int indexOf(const Conversation *conversation) const;
    const QList<Conversation *> &items() const { return m_items; }
    void add(Conversation *conversation);
    void remove(Conversation *conversation);

private:
    // A row follows its conversation's changed() by itself.
    void changed(Conversation *conversation);

    QList<Conversation *> m_items;
};
