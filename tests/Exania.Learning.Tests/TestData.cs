using System.Globalization;

namespace Exania.Learning.Tests;

/// <summary>Shared, seeded test inputs.</summary>
static class TestData
{
    /// <summary>
    /// Data/golden_small.csv: 60 rows, columns a,b,c,label (19 positives), made with numpy
    /// (default_rng(7)); the scikit-learn golden values in the tests were computed on exactly this file.
    /// </summary>
    public static LabeledMatrix GoldenSmall()
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Data", "golden_small.csv"));
        var header = lines[0].Split(',');
        var rows = lines.Length - 1;
        var columns = header.Length - 1;
        var values = new double[rows * columns];
        var labels = new byte[rows];
        for (var r = 0; r < rows; r++)
        {
            var fields = lines[r + 1].Split(',');
            for (var c = 0; c < columns; c++)
                values[r * columns + c] = double.Parse(fields[c], CultureInfo.InvariantCulture);
            labels[r] = byte.Parse(fields[columns], CultureInfo.InvariantCulture);
        }
        return new LabeledMatrix(values, rows, columns, header[..columns], labels);
    }

    /// <summary>
    /// 20 Gaussian features; the label is drawn from <c>sigmoid(-4.2 + 1.6 x0 x1 + 0.4 x2)</c>, about 6% positives.
    /// Only the x0*x1 interaction carries most of the signal, so a linear model can barely use x0 and x1.
    /// </summary>
    public static LabeledMatrix Interaction(int rows, int seed)
    {
        const int columns = 20;
        var random = new Random(seed);
        var values = new double[rows * columns];
        var labels = new byte[rows];
        for (var r = 0; r < rows; r++)
        {
            var x = values.AsSpan(r * columns, columns);
            for (var c = 0; c < columns; c++)
                x[c] = Gaussian(random) * (1 + c % 4) + c; // varied means and scales exercise the standardizer
            var x0 = x[0];
            var x1 = (x[1] - 1) / 2;
            var x2 = (x[2] - 2) / 3;
            var z = -4.2 + 1.6 * x0 * x1 + 0.4 * x2;
            labels[r] = random.NextDouble() < 1 / (1 + Math.Exp(-z)) ? (byte)1 : (byte)0;
        }
        var names = new string[columns];
        for (var c = 0; c < columns; c++)
            names[c] = $"x{c}";
        return new LabeledMatrix(values, rows, columns, names, labels);
    }

    /// <summary>Random rows with a mild linear signal, for loss and optimiser tests.</summary>
    public static (double[] X, byte[] Y, double[] W) Random(int rows, int columns, int seed)
    {
        var random = new Random(seed);
        var x = new double[rows * columns];
        var y = new byte[rows];
        var w = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            var z = 0.0;
            for (var c = 0; c < columns; c++)
            {
                x[r * columns + c] = Gaussian(random);
                z += x[r * columns + c] * (c % 2 == 0 ? 0.8 : -0.5);
            }
            y[r] = random.NextDouble() < 1 / (1 + Math.Exp(-z)) ? (byte)1 : (byte)0;
            w[r] = 0.25 + 2 * random.NextDouble();
        }
        return (x, y, w);
    }

    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
