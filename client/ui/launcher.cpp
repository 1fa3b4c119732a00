#include "launcher.h"

#include "chatconnection.h"
#include "chatsession.h"
#include "clientsettings.h"
#include "connectdialog.h"
#include "mainwindow.h"
#include "passwordstore.h"

#include <QApplication>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>

using namespace Qt::StringLiterals;

Launcher::Launcher(QObject *parent)
    : QObject(parent)
    , m_session(new ChatSession(this))
    , m_passwords(new PasswordStore(this))
{
    connect(m_session, &ChatSession::accountChanged, this, &Launcher::loggedIn);
    connect(m_session, &ChatSession::stateChanged, this, [this](ChatSession::State state) {
        if (state == ChatSession::State::Online)
            online();
    });
    connect(m_session, &ChatSession::loginFailed, this, &Launcher::failed);
    connect(m_session, &ChatSession::untrustedCertificate, this, &Launcher::askTrust);
}

Launcher::~Launcher()
{
    delete m_window;
    delete m_dialog;
}

void Launcher::showDialog(const QString &problemCode, const QString &problem)
{
    if (!m_dialog) {
        m_dialog = new ConnectDialog;
        m_dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(m_dialog, &ConnectDialog::connectRequested, this,
                [this](const ServerAddress &address, const QString &nick, const QString &password) {
                    m_address = address;
                    m_nick = nick;
                    m_password = password;
                    m_accountMode = m_dialog->accountMode();
                    m_accountPassword = m_dialog->accountPassword();
                    m_rememberPassword = m_dialog->rememberPassword();
                    if (!m_roomsFromCommandLine)
                        m_rooms = ClientSettings().lastRooms(address.toString());
                    start();
                });
        connect(m_dialog, &QDialog::rejected, this, [this] {
            if (!m_window || !m_window->isVisible())
                QApplication::quit();
        });
    }
    if (!m_address.host.isEmpty())
        m_dialog->setServer(m_address.toString());
    if (!m_nick.isEmpty())
        m_dialog->setNick(m_nick);
    if (!problemCode.isEmpty())
        m_dialog->showProblem(problemCode, problem);
    m_dialog->show();
    m_dialog->raise();
    m_dialog->activateWindow();
}

void Launcher::connectTo(const ServerAddress &address, const QString &nick, const QString &password,
                         const QStringList &rooms)
{
    m_address = address;
    m_nick = nick;
    m_password = password;
    m_roomsFromCommandLine = !rooms.isEmpty();
    m_rooms = m_roomsFromCommandLine ? rooms : ClientSettings().lastRooms(address.toString());
    start();
}

void Launcher::start()
{
    m_session->setTrustedFingerprints(ClientSettings().trustedFingerprints(m_address.hostAndPort()));
    m_session->setLogin(m_accountMode == ConnectDialog::AccountMode::LogIn ? m_nick : QString(),
                        m_accountMode == ConnectDialog::AccountMode::LogIn ? m_accountPassword : QString());
    m_session->setRegistration(m_accountMode == ConnectDialog::AccountMode::Register ? m_accountPassword : QString());
    m_session->start(m_address, m_nick, m_password, m_rooms);
}

void Launcher::loggedIn(const QString &account)
{
    if (account.isEmpty() || m_accountMode == ConnectDialog::AccountMode::Guest)
        return;
    const QString server = m_address.toString();
    ClientSettings().setAccount(server, account, m_rememberPassword);
    if (m_rememberPassword) {
        m_passwords->write(m_address.hostAndPort(), account, m_accountPassword, [this](const QString &, const QString &error) {
            if (!error.isEmpty() && m_window)
                m_window->statusBar()->showMessage(
                        tr("The password could not be kept in the keyring (%1): you will be asked again.").arg(error),
                        30'000);
        });
    } else {
        m_passwords->forget(m_address.hostAndPort(), account);
    }
}

void Launcher::online()
{
    ClientSettings settings;
    settings.rememberServer(m_address.toString());
    settings.setLastNick(m_session->nick());
    if (m_dialog)
        m_dialog->accept();
    if (!m_window)
        m_window = new MainWindow(m_session);
    m_window->show();
}

void Launcher::failed(const QString &code, const QString &message)
{
    if (m_window && m_window->isVisible())
        return; // a later reconnect problem: the status bar shows it
    showDialog(code, message);
}

void Launcher::askTrust(const QString &fingerprint, const QString &subject, const QString &problem)
{
    QMessageBox box(QMessageBox::Warning, tr("Untrusted certificate"),
                    tr("The server %1 presented a certificate that this computer does not trust.")
                            .arg(m_address.hostAndPort()),
                    QMessageBox::NoButton, m_dialog ? static_cast<QWidget *>(m_dialog.data()) : m_window);
    box.setInformativeText(tr("Certificate: %1\nProblem: %2\n\nSHA-256 fingerprint:\n%3\n\n"
                              "Trust it only if this is the fingerprint the server's owner gave you.")
                                   .arg(subject, problem, ChatConnection::formatFingerprint(fingerprint)));
    QPushButton *trust = box.addButton(tr("Trust and Connect"), QMessageBox::AcceptRole);
    box.addButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() != trust) {
        if (!m_window || !m_window->isVisible())
            showDialog(u"untrusted"_s, tr("Not connected: the server's certificate was not trusted."));
        return;
    }
    ClientSettings().trustFingerprint(m_address.hostAndPort(), fingerprint);
    start();
}
