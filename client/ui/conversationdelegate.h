#pragma once

#include <QStyledItemDelegate>

// The sidebar's rows: a "Rooms" or "Direct messages" heading above the
// first of each kind, an amber dot beside someone who is away, and the
// unread count as a badge (red when it holds a mention or a private message).
class ConversationDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConversationDelegate)

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // The heading above this row ("" for none), and the badge's text.
    static QString heading(const QModelIndex &index);
    static QString badge(const QModelIndex &index);
};
