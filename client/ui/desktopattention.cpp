#include "desktopattention.h"

#include "clientsettings.h"
#include "conversation.h"

#include <QApplication>
#include <QPainter>
#include <QSystemTrayIcon>
#include <QWidget>

using namespace Qt::StringLiterals;

DesktopAttention::DesktopAttention(QWidget *window)
    : QObject(window)
    , m_window(window)
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = new QSystemTrayIcon(window->windowIcon(), this);
    m_tray->setToolTip(u"Confab"_s);
    m_tray->show();
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
        m_window->showNormal();
        m_window->activateWindow();
    });
}

void DesktopAttention::setUnread(int unread)
{
    if (!m_tray)
        return;
    m_tray->setToolTip(unread > 0 ? tr("Confab — %n unread", nullptr, unread) : u"Confab"_s);
    m_tray->setIcon(badgedIcon(m_window->windowIcon(), unread));
}

QIcon DesktopAttention::badgedIcon(const QIcon &icon, int count)
{
    if (count <= 0)
        return icon;
    // The count in a red disc in the corner, as docks and panels show it.
    QPixmap pixmap = icon.pixmap(64, 64);
    if (pixmap.isNull()) {
        pixmap = QPixmap(64, 64);
        pixmap.fill(Qt::transparent);
    }
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    const QRectF disc(24, 0, 40, 40);
    painter.setBrush(QColor(0xd3, 0x2f, 0x2f));
    painter.setPen(Qt::NoPen);
    painter.drawEllipse(disc);
    QFont font = painter.font();
    font.setBold(true);
    font.setPixelSize(count > 99 ? 16 : 22);
    painter.setFont(font);
    painter.setPen(Qt::white);
    painter.drawText(disc, Qt::AlignCenter, count > 99 ? u"99+"_s : QString::number(count));
    return QIcon(pixmap);
}

void DesktopAttention::notify(Conversation *conversation, const QString &from, const QString &text)
{
    if (m_window->isActiveWindow() || !ClientSettings().notificationsEnabled())
        return;
    QApplication::alert(m_window);
    if (m_tray) {
        const QString title = conversation->type() == Conversation::Type::Room
                                      ? tr("%1 in #%2").arg(from, conversation->name())
                                      : tr("%1 (private)").arg(from);
        m_tray->showMessage(title, text.left(200), QSystemTrayIcon::Information, 8000);
    }
}
