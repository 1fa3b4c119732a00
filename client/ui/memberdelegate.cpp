#include "memberdelegate.h"

#include "roommembers.h"

#include <QPainter>
#include <QPainterPath>

using namespace Qt::StringLiterals;

QString MemberDelegate::badge(const QModelIndex &index)
{
    const QString role = index.data(RoomMembers::RoleName).toString();
    if (role == "owner"_L1 || role == "op"_L1)
        return role;
    if (index.data(RoomMembers::MutedRole).toBool())
        return u"muted"_s;
    return index.data(RoomMembers::AwayRole).toString().isEmpty() ? QString() : u"away"_s;
}

void MemberDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyledItemDelegate::paint(painter, option, index);
    const QString text = badge(index);
    if (text.isEmpty())
        return;
    QFont font = option.font;
    font.setPointSizeF(font.pointSizeF() * 0.8);
    font.setBold(true);
    const QFontMetrics metrics(font);
    const int width = metrics.horizontalAdvance(text) + 10;
    const int height = metrics.height() + 2;
    const QRect pill(option.rect.right() - width - 4, option.rect.center().y() - height / 2, width, height);
    QColor colour = text == "owner"_L1 ? QColor(0xb0, 0x7a, 0x00)
                    : text == "op"_L1  ? QColor(0x1e, 0x6f, 0xb3)
                                       : QColor(0x80, 0x80, 0x80);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QPainterPath path;
    path.addRoundedRect(pill, height / 2.0, height / 2.0);
    painter->fillPath(path, colour);
    painter->setPen(Qt::white);
    painter->setFont(font);
    painter->drawText(pill, Qt::AlignCenter, text);
    painter->restore();
}

QSize MemberDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    if (!badge(index).isEmpty())
        size.rwidth() += QFontMetrics(option.font).horizontalAdvance(badge(index)) + 16;
    return size;
}
