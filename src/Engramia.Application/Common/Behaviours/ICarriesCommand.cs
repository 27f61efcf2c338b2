using Mediator;

namespace Engramia.Application.Common.Behaviours;

/// <summary>
/// A message sent on behalf of another command (a respond-async submission): the pipeline's rules
/// (permission, storable text, validation, quotas) judge <see cref="Command"/>, so a carried command
/// is refused exactly as it would be if it were sent itself. A behaviour that owns a rule asks
/// <see cref="CarriedCommands.RulesSubject"/> what to judge.
/// </summary>
public interface ICarriesCommand
{
    IMessage Command { get; }
}

public static class CarriedCommands
{
    /// <summary>The message whose rules apply: the carried command, else the message itself.</summary>
    public static object RulesSubject(this IMessage message) => message is ICarriesCommand carrier ? carrier.Command : message;
}
