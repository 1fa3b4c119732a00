#include "conversationdelegate.h"

#include "conversation.h"
#include "conversationlist.h"

#include <QPainter>
#include <QPainterPath>

using namespace Qt::StringLiterals;

namespace {

int headingHeight(const QStyleOptionViewItem &option)
{
    return QFontMetrics(option.font).height() + 10;
}

} // namespace

QString ConversationDelegate::heading(const QModelIndex &index)
{
    if (!index.data(ConversationList::SectionStartRole).toBool())
        return {};
    return index.data(ConversationList::TypeRole).toInt() == int(Conversation::Type::Room) ? tr("Rooms")
                                                                                           : tr("Direct messages");
}

QString ConversationDelegate::badge(const QModelIndex &index)
{
    const int unread = index.data(ConversationList::UnreadRole).toInt();
    return unread > 99 ? u"99+"_s : unread > 0 ? QString::number(unread) : QString();
}

void ConversationDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem row = option;
    const QString title = heading(index);
    painter->save();
    if (!title.isEmpty()) {
        // The heading is part of the row, above what is selectable.
        const QRect headingRect(option.rect.left() + 6, option.rect.top(), option.rect.width() - 12,
                                headingHeight(option));
        QFont font = option.font;
        font.setPointSizeF(font.pointSizeF() * 0.85);
        font.setBold(true);
        painter->setFont(font);
        painter->setPen(option.palette.color(QPalette::PlaceholderText));
        painter->drawText(headingRect, Qt::AlignLeft | Qt::AlignBottom, title.toUpper());
        row.rect.setTop(row.rect.top() + headingHeight(option));
    }
    painter->restore();

    // The name without the "(3)" the plain list shows: the badge says it.
    initStyleOption(&row, index);
    const bool room = index.data(ConversationList::TypeRole).toInt() == int(Conversation::Type::Room);
    const QString name = index.data(ConversationList::NameRole).toString();
    row.text = room ? u"#"_s + name : name;
    const bool mention = index.data(ConversationList::MentionRole).toBool();
    if (mention || !badge(index).isEmpty())
        row.font.setBold(true);
    const bool away = !room && !index.data(ConversationList::PeerAwayRole).toString().isEmpty();
    const int dot = away ? 10 : 0;
    if (away)
        row.rect.setLeft(row.rect.left() + dot + 6);
    const QString count = badge(index);
    QFont badgeFont = option.font;
    badgeFont.setPointSizeF(badgeFont.pointSizeF() * 0.8);
    badgeFont.setBold(true);
    const QFontMetrics badgeMetrics(badgeFont);
    const int badgeWidth = count.isEmpty() ? 0 : qMax(badgeMetrics.horizontalAdvance(count) + 10, badgeMetrics.height() + 2);
    row.rect.setRight(row.rect.right() - badgeWidth - 6);
    QStyledItemDelegate::paint(painter, row, index);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const int middle = row.rect.center().y();
    if (away) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(QColor(0xe0, 0x9b, 0x1a));
        painter->drawEllipse(QRect(option.rect.left() + 6, middle - dot / 2, dot, dot));
    }
    if (!count.isEmpty()) {
        const int height = badgeMetrics.height() + 2;
        const QRect pill(option.rect.right() - badgeWidth - 4, middle - height / 2, badgeWidth, height);
        QPainterPath path;
        path.addRoundedRect(pill, height / 2.0, height / 2.0);
        const bool urgent = mention || !room;
        painter->fillPath(path, urgent ? QColor(0xd3, 0x2f, 0x2f) : option.palette.color(QPalette::Mid));
        painter->setPen(Qt::white);
        painter->setFont(badgeFont);
        painter->drawText(pill, Qt::AlignCenter, count);
    }
    painter->restore();
}

QSize ConversationDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setHeight(qMax(size.height(), QFontMetrics(option.font).height() + 8));
    if (!heading(index).isEmpty())
        size.rheight() += headingHeight(option);
    return size;
}
