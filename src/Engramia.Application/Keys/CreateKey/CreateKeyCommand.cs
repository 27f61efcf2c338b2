using Engramia.Application.Common.Security;
using Mediator;

namespace Engramia.Application.Keys.CreateKey;

/// <summary><c>POST /v1/keys</c>: a new key in the caller's own tenant and project.</summary>
public sealed record CreateKeyCommand(string Name, string Role, int? MaxPatterns, string? ExpiresAt) : ICommand<CreatedKey>, IRequirePermission
{
    public static string Permission => Permissions.KeysCreate;
}
