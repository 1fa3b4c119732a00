#include "accountadmin.h"

#include "names.h"
#include "passwordhasher.h"
#include "serverconfig.h"
#include "sqlstore.h"

#include <QDateTime>
#include <QFileInfo>

#include <string>

#include <termios.h>
#include <unistd.h>

namespace AccountAdmin {

namespace {

QString readLine(std::FILE *input)
{
    std::string line;
    int c;
    while ((c = std::fgetc(input)) != EOF && c != '\n')
        line.push_back(char(c));
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return QString::fromStdString(line);
}

// A password typed at a terminal is not shown; from a pipe it is one line.
QString readPassword(std::FILE *input, std::FILE *prompt, const char *question)
{
    const int fd = fileno(input);
    if (!isatty(fd))
        return readLine(input);
    std::fputs(question, prompt);
    std::fflush(prompt);
    termios original{};
    const bool quiet = tcgetattr(fd, &original) == 0;
    if (quiet) {
        termios silent = original;
        silent.c_lflag &= tcflag_t(~ECHO);
        tcsetattr(fd, TCSAFLUSH, &silent);
    }
    const QString line = readLine(input);
    if (quiet) {
        tcsetattr(fd, TCSAFLUSH, &original);
        std::fputc('\n', prompt);
    }
    return line;
}

int fail(std::FILE *err, const QString &message)
{
    std::fprintf(err, "confab-server: %s\n", qPrintable(message));
    return 1;
}

} // namespace

int resetPassword(const ServerConfig &config, std::FILE *input, std::FILE *out, std::FILE *err)
{
    if (!SqlStore::isDatabaseUrl(config.databasePath)
        && (config.databasePath == QLatin1String(":memory:") || !QFileInfo::exists(config.databasePath)))
        return fail(err, QStringLiteral("no database at %1 (give its path with --db)").arg(config.databasePath));
    QString error;
    const std::unique_ptr<SqlStore> store = SqlStore::open(config.databasePath, &error);
    if (!store)
        return fail(err, error);
    const QString key = Confab::Protocol::nameKey(config.resetPasswordAccount);
    const std::optional<AccountStore::Account> account = store->loadAccount(key);
    if (!account)
        return fail(err, QStringLiteral("there is no account %1").arg(config.resetPasswordAccount));

    const QString password = readLine(input);
    if (const auto violation = Confab::Protocol::checkPassword(password))
        return fail(err, violation->reason);
    const QByteArray hash = PasswordHasher::hash(password);
    if (hash.isEmpty())
        return fail(err, QStringLiteral("libcrypt could not hash the password"));
    if (!store->setPasswordHash(key, hash, &error))
        return fail(err, QStringLiteral("cannot store the new password: %1").arg(error));
    std::fprintf(out, "the password of %s is changed\n", qPrintable(account->name));
    return 0;
}

int addAccount(const ServerConfig &config, std::FILE *input, std::FILE *out, std::FILE *err)
{
    const QString name = config.addAccountName;
    if (const auto violation = Confab::Protocol::checkNick(name))
        return fail(err, QStringLiteral("%1 cannot be an account: %2").arg(name, violation->reason));
    QString error;
    const std::unique_ptr<SqlStore> store = SqlStore::open(config.databasePath, &error);
    if (!store)
        return fail(err, error);
    const QString key = Confab::Protocol::nameKey(name);
    if (const std::optional<AccountStore::Account> existing = store->loadAccount(key))
        return fail(err, QStringLiteral("%1 is an account already").arg(existing->name));

    const QString password = readPassword(input, err, "Password: ");
    if (const auto violation = Confab::Protocol::checkPassword(password))
        return fail(err, violation->reason);
    if (isatty(fileno(input)) && readPassword(input, err, "The same again: ") != password)
        return fail(err, QStringLiteral("the two passwords differ; nothing was made"));
    const QByteArray hash = PasswordHasher::hash(password);
    if (hash.isEmpty())
        return fail(err, QStringLiteral("libcrypt could not hash the password"));
    if (!store->createAccount(key, {name, hash, QDateTime::currentMSecsSinceEpoch()}, &error))
        return fail(err, QStringLiteral("cannot store the account: %1").arg(error));
    std::fprintf(out, "the account %s is made\n", qPrintable(name));
    return 0;
}

} // namespace AccountAdmin
