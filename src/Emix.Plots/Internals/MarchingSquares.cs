namespace Emix.Plots;

/// <summary>
/// Contour lines of a function sampled on a rectangular grid, by marching squares: each grid cell's
/// corners above or below the level say which of its edges the line crosses; crossings are placed by
/// linear interpolation along the edge, and the cell segments are then chained into polylines.
/// Glossary: nx, ny grid sizes; z[ix, iy] the value at (x[ix], y[iy]); a cell's corners are numbered
/// 0 bottom-left, 1 bottom-right, 2 top-right, 3 top-left, its edges 0 bottom, 1 right, 2 top, 3 left.
/// </summary>
internal static class MarchingSquares
{
    /// <summary>The polylines where z equals <paramref name="level"/>; closed ones end where they start.</summary>
    public static List<(double[] X, double[] Y)> Contours(double[] x, double[] y, double[,] z, double level)
    {
        int nx = x.Length, ny = y.Length;
        if (z.GetLength(0) != nx || z.GetLength(1) != ny)
            throw new ArgumentException("z must be x.Length × y.Length.", nameof(z));
        int horizontalEdges = ny * (nx - 1);
        var points = new Dictionary<int, (double X, double Y)>();
        var segments = new List<(int A, int B)>();
        Span<int> crossed = stackalloc int[4];

        for (int ix = 0; ix < nx - 1; ix++)
        {
            for (int iy = 0; iy < ny - 1; iy++)
            {
                double z0 = z[ix, iy], z1 = z[ix + 1, iy], z2 = z[ix + 1, iy + 1], z3 = z[ix, iy + 1];
                bool in0 = z0 >= level, in1 = z1 >= level, in2 = z2 >= level, in3 = z3 >= level;
                int count = 0;
                if (in0 != in1)
                    crossed[count++] = 0;
                if (in1 != in2)
                    crossed[count++] = 1;
                if (in2 != in3)
                    crossed[count++] = 2;
                if (in3 != in0)
                    crossed[count++] = 3;
                if (count == 0)
                    continue;

                int Edge(int side) => side switch
                {
                    0 => (iy * (nx - 1)) + ix,
                    1 => horizontalEdges + ((ix + 1) * (ny - 1)) + iy,
                    2 => ((iy + 1) * (nx - 1)) + ix,
                    _ => horizontalEdges + (ix * (ny - 1)) + iy,
                };

                void Place(int side)
                {
                    int id = Edge(side);
                    if (points.ContainsKey(id))
                        return;
                    (double xa, double ya, double za, double xb, double yb, double zb) = side switch
                    {
                        0 => (x[ix], y[iy], z0, x[ix + 1], y[iy], z1),
                        1 => (x[ix + 1], y[iy], z1, x[ix + 1], y[iy + 1], z2),
                        2 => (x[ix], y[iy + 1], z3, x[ix + 1], y[iy + 1], z2),
                        _ => (x[ix], y[iy], z0, x[ix], y[iy + 1], z3),
                    };
                    double t = (level - za) / (zb - za);
                    points[id] = (xa + (t * (xb - xa)), ya + (t * (yb - ya)));
                }

                for (int e = 0; e < count; e++)
                    Place(crossed[e]);
                if (count == 2)
                {
                    segments.Add((Edge(crossed[0]), Edge(crossed[1])));
                    continue;
                }
                // A saddle (opposite corners inside): the cell centre decides whether the two inside
                // corners are joined (the lines cut off the outside corners) or not.
                bool centreIn = (z0 + z1 + z2 + z3) / 4 >= level;
                bool cutCorners1And3 = in0 == centreIn;
                if (cutCorners1And3)
                {
                    segments.Add((Edge(0), Edge(1))); // around corner 1
                    segments.Add((Edge(2), Edge(3))); // around corner 3
                }
                else
                {
                    segments.Add((Edge(3), Edge(0))); // around corner 0
                    segments.Add((Edge(1), Edge(2))); // around corner 2
                }
            }
        }
        return Chain(segments, points);
    }

    /// <summary>Joins segments that share an edge crossing into polylines (every crossing has at most two segments).</summary>
    private static List<(double[] X, double[] Y)> Chain(List<(int A, int B)> segments, Dictionary<int, (double X, double Y)> points)
    {
        var byEdge = new Dictionary<int, List<int>>();
        for (int s = 0; s < segments.Count; s++)
        {
            foreach (int edge in new[] { segments[s].A, segments[s].B })
            {
                if (!byEdge.TryGetValue(edge, out var list))
                    byEdge[edge] = list = new List<int>(2);
                list.Add(s);
            }
        }
        var used = new bool[segments.Count];
        var lines = new List<(double[] X, double[] Y)>();
        for (int s = 0; s < segments.Count; s++)
        {
            if (used[s])
                continue;
            used[s] = true;
            var forward = new List<int> { segments[s].A, segments[s].B };
            Extend(forward, byEdge, segments, used);
            var backward = new List<int> { segments[s].A };
            if (forward[^1] != forward[0])
                Extend(backward, byEdge, segments, used);
            backward.Reverse();
            var edges = backward.Concat(forward.Skip(1)).ToList();
            lines.Add((edges.Select(e => points[e].X).ToArray(), edges.Select(e => points[e].Y).ToArray()));
        }
        return lines;
    }

    /// <summary>Walks from the last edge of <paramref name="path"/> through unused segments.</summary>
    private static void Extend(List<int> path, Dictionary<int, List<int>> byEdge, List<(int A, int B)> segments, bool[] used)
    {
        while (true)
        {
            int at = path[^1];
            int next = -1;
            foreach (int candidate in byEdge[at])
            {
                if (!used[candidate])
                {
                    next = candidate;
                    break;
                }
            }
            if (next < 0)
                return;
            used[next] = true;
            var (a, b) = segments[next];
            path.Add(a == at ? b : a);
        }
    }
}
