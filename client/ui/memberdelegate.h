#pragma once

#include <QStyledItemDelegate>

// Draws a room member with a badge for their role ("owner", "op") and a
// mark when they are muted, so that who moderates the room is visible at a
// glance.
class MemberDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MemberDelegate)

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    // The badge text for a row ("owner", "op", "muted", or none).
    static QString badge(const QModelIndex &index);
};
