using System.Reflection;

namespace Engramia.Api.Tests.Architecture;

/// <summary>References point inward: Domain ← Application ← Infrastructure ← Api.</summary>
public sealed class LayerTests
{
    private static readonly Assembly Domain = typeof(Engramia.Domain.Common.Scope).Assembly;
    private static readonly Assembly Application = typeof(Engramia.Application.DependencyInjection).Assembly;
    private static readonly Assembly Infrastructure = typeof(Engramia.Infrastructure.DependencyInjection).Assembly;

    [Test]
    public void Domain_references_no_other_layer_and_no_framework_package()
    {
        var references = Names(Domain);
        Assert.That(references.Where(r => r.StartsWith("Engramia", StringComparison.Ordinal) || r.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal) || r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public void Application_references_only_the_domain()
    {
        var engramia = Names(Application).Where(r => r.StartsWith("Engramia", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(engramia, Is.EquivalentTo(new[] { "Engramia.Domain" }));
            Assert.That(Names(Application).Any(r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || r.StartsWith("Npgsql", StringComparison.Ordinal)), Is.False);
        });
    }

    [Test]
    public void Infrastructure_does_not_reference_the_api()
    {
        var engramia = Names(Infrastructure).Where(r => r.StartsWith("Engramia", StringComparison.Ordinal));
        Assert.That(engramia, Is.SubsetOf(new[] { "Engramia.Domain", "Engramia.Application" }));
    }

    private static List<string> Names(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
}
