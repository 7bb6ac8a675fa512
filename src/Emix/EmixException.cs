namespace Emix;

/// <summary>Base class of every error Emix reports about its inputs or its numerics.</summary>
public abstract class EmixException : Exception
{
    /// <summary>Creates the exception with a one-line message.</summary>
    protected EmixException(string message, Exception? innerException = null) : base(message, innerException) { }
}

/// <summary>
/// Bad input data: a file that cannot be read, a cell that is not a finite number, a ragged row.
/// The message names the source, the row and column (1-based, as a person counts them) and the bad text.
/// </summary>
public sealed class DataFormatException : EmixException
{
    /// <summary>Creates the exception.</summary>
    public DataFormatException(string message, Exception? innerException = null) : base(message, innerException) { }

    /// <summary>Builds the standard message: "<c>source: row R, column C: problem</c>".</summary>
    public static DataFormatException At(string source, long row, int column, string problem) =>
        new($"{source}: row {row}, column {column}: {problem}");
}

/// <summary>A model file (or initial-parameter file) that is malformed, inconsistent or from an unknown version.</summary>
public sealed class ModelFormatException : EmixException
{
    /// <summary>Creates the exception.</summary>
    public ModelFormatException(string message, Exception? innerException = null) : base(message, innerException) { }
}

/// <summary>
/// The fit failed numerically, typically because a component collapsed onto too few points
/// and its covariance is no longer positive definite.
/// </summary>
public sealed class NumericalFailureException : EmixException
{
    /// <summary>
    /// The advice scikit-learn gives for the same failure, appended to every collapse message.
    /// </summary>
    public const string CollapseAdvice =
        "Try to decrease the number of components, increase reg_covar (--reg-covar), or scale the input data.";

    /// <summary>Creates the exception.</summary>
    public NumericalFailureException(string message, Exception? innerException = null) : base(message, innerException) { }

    /// <summary>Index of the component that failed, or -1 when the failure is not tied to one component.</summary>
    public int Component { get; init; } = -1;
}
