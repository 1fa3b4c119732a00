#include "hostingstatus.h"

#include "serverthread.h"

#include <QHostAddress>
#include <QLabel>
#include <QMessageBox>
#include <QNetworkInterface>
#include <QPushButton>
#include <QStatusBar>

using namespace Qt::StringLiterals;

HostingStatus::HostingStatus(ServerThread *server, QStatusBar *statusBar, QWidget *window)
    : QObject(window)
    , m_server(server)
    , m_window(window)
    , m_label(new QLabel(window))
{
    m_label->setObjectName(u"hosting"_s);
    statusBar->addPermanentWidget(m_label);
    connect(server, &ServerThread::usersChanged, this, &HostingStatus::update);
    connect(server, &ServerThread::stopped, this, &HostingStatus::update);
    update();
}

void HostingStatus::update()
{
    if (!m_server->isRunning()) {
        m_label->setText(tr("Not hosting any more"));
        return;
    }
    // Where others on the network can reach it.
    QStringList addresses;
    for (const QHostAddress &address : QNetworkInterface::allAddresses()) {
        if (address.protocol() == QAbstractSocket::IPv4Protocol && !address.isLoopback() && !address.isLinkLocal())
            addresses << u"%1:%2"_s.arg(address.toString()).arg(m_server->tcpPort());
    }
    const int users = m_server->users();
    m_label->setText(tr("Hosting here · %1 connected").arg(users));
    m_label->setToolTip(addresses.isEmpty() ? tr("No network address: only this computer can join (port %1)")
                                                      .arg(m_server->tcpPort())
                                            : tr("Others join at %1, or find this server under Servers on this network")
                                                      .arg(addresses.join(u", "_s)));
}

bool HostingStatus::stopBeforeClosing()
{
    if (m_server->isRunning() && m_server->users() > 1) {
        QMessageBox box(QMessageBox::Question, tr("Stop the server for everyone?"),
                        (m_server->users() == 2 ? tr("1 other person is connected to the server this computer runs.")
                                                : tr("%1 other people are connected to the server this computer runs.")
                                                          .arg(m_server->users() - 1))
                                + u' ' + tr("Closing Confab stops it for all of them."),
                        QMessageBox::NoButton, m_window);
        box.setObjectName(u"stopHosting"_s);
        QPushButton *stop = box.addButton(tr("Stop and Quit"), QMessageBox::DestructiveRole);
        stop->setObjectName(u"stopAndQuit"_s);
        QPushButton *keep = box.addButton(tr("Keep Running"), QMessageBox::RejectRole);
        keep->setObjectName(u"keepRunning"_s);
        box.setDefaultButton(keep);
        box.exec();
        if (box.clickedButton() != stop)
            return false;
    }
    if (m_server->isRunning())
        m_server->stop(); // everyone is told the server is closing
    return true;
}
