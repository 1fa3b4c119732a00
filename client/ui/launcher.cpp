#include "launcher.h"

#include "chatconnection.h"
#include "chatsession.h"
#include "clientsettings.h"
#include "connectdialog.h"
#include "inspectordock.h"
#include "mainwindow.h"
#include "passwordstore.h"
#include "serverconfig.h"
#include "serverthread.h"

#include <QApplication>
#include <QMessageBox>
#include <QPushButton>
#include <QStandardPaths>
#include <QStatusBar>
#include <QSysInfo>

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
    // The window goes first (it shows the hosted server), then the server,
    // which tells its clients it is closing.
    delete m_window;
    m_window = nullptr;
    delete m_host;
    delete m_window;
    delete m_dialog;
}

void Launcher::showDialog(std::optional<ChatSession::LoginFailure> failure, const QString &problem)
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
        connect(m_dialog, &ConnectDialog::hostRequested, this, &Launcher::host);
        connect(m_dialog, &QDialog::rejected, this, [this] {
            if (!m_window || !m_window->isVisible())
                QApplication::quit();
        });
    }
    if (!m_address.host.isEmpty())
        m_dialog->setServer(m_address.toString());
    if (!m_nick.isEmpty())
        m_dialog->setNick(m_nick);
    if (failure)
        m_dialog->showProblem(*failure, problem);
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
    if (m_inspecting && !m_window) {
        // The window comes up once online; its inspector records from now.
        ensureWindow()->inspectorAction()->setChecked(true);
        m_window->inspector()->startRecording();
    }
    m_session->start(m_address, m_nick, m_password, m_rooms);
}

MainWindow *Launcher::ensureWindow()
{
    if (!m_window) {
        m_window = new MainWindow(m_session);
        connect(m_window, &MainWindow::connectElsewhereRequested, this, [this] {
            m_session->quitAndForget();
            m_window->hide();
            // Rooms given on the command line were for that server.
            m_roomsFromCommandLine = false;
            showDialog();
        });
        if (m_host && m_host->isRunning())
            m_window->setHostedServer(m_host);
    }
    return m_window;
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

void Launcher::setHostingConfig(const ServerConfig &config)
{
    m_hostConfig = std::make_unique<ServerConfig>(config);
}

void Launcher::host(const QString &nick)
{
    if (!m_hostConfig) {
        ServerConfig config;
        config.databasePath = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
                              + u"/hosted-history.db"_s;
        config.displayName = tr("%1 on %2").arg(nick, QSysInfo::machineHostName());
        config.motd = tr("Welcome to %1's Confab server.").arg(nick);
        m_hostConfig = std::make_unique<ServerConfig>(config);
    }
    if (!m_host) {
        m_host = new ServerThread;
        connect(m_host, &ServerThread::started, this, [this, nick](quint16 tcpPort) {
            m_hostRetried = false;
            m_address = *ServerAddress::parse(u"127.0.0.1:%1"_s.arg(tcpPort));
            m_nick = nick;
            m_password.clear();
            m_accountMode = ConnectDialog::AccountMode::Guest;
            m_rooms = {u"lobby"_s};
            start();
        });
        connect(m_host, &ServerThread::failed, this, [this, nick](const QString &error) {
            // The usual ports are taken (another server here): any free ones.
            if (!m_hostRetried && error.contains(u"cannot listen"_s) && m_hostConfig->tcpPort != 0) {
                m_hostRetried = true;
                m_hostConfig->tcpPort = 0;
                m_hostConfig->httpPort = 0;
                m_host->start(*m_hostConfig);
                return;
            }
            showDialog(ChatSession::LoginFailure::Unreachable, tr("Cannot host a server here: %1").arg(error));
        });
    }
    m_host->start(*m_hostConfig);
}

void Launcher::online()
{
    ClientSettings settings;
    settings.rememberServer(m_address.toString());
    settings.setLastNick(m_session->nick());
    if (m_dialog)
        m_dialog->accept();
    ensureWindow()->show();
}

void Launcher::failed(ChatSession::LoginFailure failure, const QString &message)
{
    if (m_window && m_window->isVisible())
        return; // a later reconnect problem: the status bar shows it
    showDialog(failure, message);
}

void Launcher::askTrust(const QString &fingerprint, const QString &subject, const QString &problem)
{
    const QString server = m_address.hostAndPort();
    const QSet<QString> known = ClientSettings().trustedFingerprints(server);
    QWidget *parent = m_dialog ? static_cast<QWidget *>(m_dialog.data()) : m_window;
    const QString shown = ChatConnection::formatFingerprint(fingerprint);

    if (!known.isEmpty()) {
        // Trusted before, and now another certificate: as SSH does, say so
        // loudly and do not connect unless the user insists.
        QStringList before;
        for (const QString &old : known)
            before << ChatConnection::formatFingerprint(old);
        QMessageBox box(QMessageBox::Critical, tr("The server's certificate has changed"),
                        tr("%1 presented a different certificate from the one you trusted before. Someone may be "
                           "pretending to be this server.")
                                .arg(server),
                        QMessageBox::NoButton, parent);
        box.setObjectName(u"changedCertificate"_s);
        box.setInformativeText(tr("Trusted before (SHA-256):\n%1\n\nPresented now:\n%2\n\nUnless the server's owner "
                                  "told you that its certificate was replaced, do not connect.")
                                       .arg(before.join(u'\n'), shown));
        QPushButton *refuse = box.addButton(tr("Do Not Connect"), QMessageBox::RejectRole);
        QPushButton *replace = box.addButton(tr("Trust the New Certificate"), QMessageBox::DestructiveRole);
        replace->setObjectName(u"trustNew"_s);
        box.setDefaultButton(refuse);
        box.setEscapeButton(refuse);
        box.exec();
        if (box.clickedButton() != replace) {
            if (!m_window || !m_window->isVisible())
                showDialog(ChatSession::LoginFailure::UntrustedCertificate, tr("Not connected: the server's certificate changed since you trusted "
                                              "it."));
            return;
        }
        ClientSettings().replaceFingerprints(server, fingerprint);
        start();
        return;
    }

    QMessageBox box(QMessageBox::Warning, tr("Untrusted certificate"),
                    tr("The server %1 presented a certificate that this computer does not trust.").arg(server),
                    QMessageBox::NoButton, parent);
    box.setObjectName(u"untrustedCertificate"_s);
    QString announced;
    const QString expected = m_dialog ? m_dialog->announcedFingerprint() : QString();
    if (!expected.isEmpty()) {
        announced = expected == fingerprint
                            ? tr("\n\nIt is the certificate this server announced on the local network.")
                            : tr("\n\nIt is NOT the certificate this server announced on the local network (%1): "
                                 "do not trust it.")
                                      .arg(ChatConnection::formatFingerprint(expected));
    }
    box.setInformativeText(tr("Certificate: %1\nProblem: %2\n\nSHA-256 fingerprint:\n%3%4\n\n"
                              "Trust it only if this is the fingerprint the server's owner gave you. It will be "
                              "remembered for %5, and a different certificate there will be refused.")
                                   .arg(subject, problem, shown, announced, server));
    QPushButton *trust = box.addButton(tr("Trust and Connect"), QMessageBox::AcceptRole);
    trust->setObjectName(u"trust"_s);
    QPushButton *cancel = box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(cancel);
    box.exec();
    if (box.clickedButton() != trust) {
        if (!m_window || !m_window->isVisible())
            showDialog(ChatSession::LoginFailure::UntrustedCertificate, tr("Not connected: the server's certificate was not trusted."));
        return;
    }
    ClientSettings().trustFingerprint(server, fingerprint);
    start();
}
