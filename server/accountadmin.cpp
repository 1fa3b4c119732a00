#include "accountadmin.h"

#include "names.h"
#include "passwordhasher.h"
#include "serverconfig.h"
#include "sqlstore.h"

#include <QFileInfo>

#include <string>

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

} // namespace AccountAdmin
