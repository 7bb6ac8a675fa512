#!/usr/bin/python3
"""Writes the malformed-input corpus (tests/corpus/<kind>/...) and its manifest, expected.tsv.

Run from anywhere with Debian's Python (the standard library is enough):

    /usr/bin/python3 tests/corpus/make_corpus.py

Every case is one file and one line of expected.tsv: the file, the exit code `emix` must give, and
fragments (tab-separated) that must appear in its one-line message (on stderr; on stdout for exit 0). How each kind is
run is fixed by its folder (see README.md). Inputs too large to commit (a 100 MB line, 10 GB sparse
files) are made by the tests themselves (tests/Emix.Tests/Corpus/GeneratedInputTests.cs).
"""
import json
import os
import shutil
import struct

ROOT = os.path.dirname(os.path.abspath(__file__))
KINDS = ["csv", "tsv", "npy", "model", "init"]
CASES = []  # (relative path, exit code, [fragments])


def case(path, content, exit_code, *fragments):
    if isinstance(content, str):
        content = content.encode("utf-8")
    full = os.path.join(ROOT, path)
    with open(full, "wb") as f:
        f.write(content)
    for fragment in fragments:
        assert "\t" not in fragment and "\n" not in fragment, fragment
    CASES.append((path, exit_code, list(fragments)))


def ok_rows(n, separator=","):
    # Two columns, n rows, simple exact decimals.
    return "".join(f"{i * 0.5 + 1}{separator}{(i * 7) % 5 - 2.25}\n" for i in range(n))


# ---------------------------------------------------------------- CSV (emix fit FILE -k 1 --json)
def csv_cases():
    ok = "a,b\n" + ok_rows(10)
    case("csv/ok-two-features.csv", ok, 0, '"n_samples":10', '"n_features":2')
    case("csv/empty.csv", "", 3, "csv/empty.csv: no data rows")
    case("csv/blank-lines-and-comments.csv", "\n   \n# only a comment\n\t\n", 3, "no data rows")
    case("csv/header-only.csv", "a,b\n", 3, "header-only.csv: no data rows")
    case("csv/header-only-no-newline.csv", "a,b", 3, "no data rows")
    case("csv/bom-only.csv", b"\xef\xbb\xbf", 3, "no data rows")
    # Accepted on purpose (documented): a UTF-8 BOM, CRLF or lone CR line ends, quoted numbers.
    case("csv/utf8-bom.csv", b"\xef\xbb\xbf" + ok.encode(), 0, '"n_samples":10', '"n_features":2')
    case("csv/crlf.csv", ok.replace("\n", "\r\n"), 0, '"n_samples":10')
    case("csv/cr-only.csv", ok.replace("\n", "\r"), 0, '"n_samples":10')
    case("csv/mixed-line-ends.csv", "a,b\r\n1,2\n3,4\r5,6\r\n7,8", 0, '"n_samples":4')
    case("csv/quoted-numbers.csv", 'a,"b"\n"1","2.5"\n"3" , " 4 "\n5,6\n', 0, '"n_samples":3')
    case("csv/number-forms.csv", "a,b,c,d,e,f\n+1,.5,5.,1E3,-0,1e-400\n2,0.25,7,1e+2,3,4\n", 0,
         '"n_samples":2', '"n_features":6')
    case("csv/single-column-no-header.csv", "1.5\n2.5\n-3\n", 0, '"n_samples":3', '"n_features":1')
    # Thousands separators and decimal commas are refused with a hint (never guessed: 1,234 is ambiguous).
    case("csv/thousands-separator-quoted.csv", 'a,b\n"1,234.5",2\n3,4\n', 3,
         "row 2, column 1: '1,234.5' is not a number", "thousands separator", "remove")
    case("csv/thousands-separator-unquoted.csv", "a,b\n1,234.5,2\n3,4\n", 3,
         "row 2: has 3 columns, expected 2")
    case("csv/thousands-separator-space.csv", "a,b\n1 234 567,2\n3,4\n", 3,
         "'1 234 567' is not a number", "thousands separator")
    case("csv/thousands-separator-apostrophe.csv", "a,b\n1'234,2\n3,4\n", 3,
         "'1'234' is not a number", "thousands separator")
    case("csv/thousands-separator-underscore.csv", "a,b\n1_000,2\n3,4\n", 3,
         "'1_000' is not a number", "thousands separator")
    case("csv/decimal-comma-semicolons.csv", "a;b\n1,5;2,25\n3,0;4,5\n", 3,
         "row 2, column 1: '1,5' is not a number", "decimal comma", "decimal point")
    case("csv/decimal-comma-quoted.csv", 'a,b\n"1,5","2,25"\n"3,0","4,5"\n', 3,
         "'1,5' is not a number", "decimal comma")
    case("csv/decimal-comma-with-thousands-dots.csv", "a;b\n1.234,5;2\n3;4\n", 3,
         "'1.234,5' is not a number", "decimal comma")
    case("csv/ragged-short-row.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n", 3,
         "row 3: has 2 columns, expected 3 (as in the header)")
    case("csv/ragged-long-row.csv", "1,2\n3,4\n5,6,7\n", 3, "row 3: has 3 columns, expected 2 (as in the first row)")
    case("csv/ragged-trailing-delimiter.csv", "a,b\n1,2,\n", 3, "row 2: has 3 columns, expected 2")
    case("csv/nul-bytes.csv", "a,b\n1,2\n3,\x004\n", 3, "row 3, column 2", "NUL", "UTF-8")
    case("csv/nul-only.csv", b"\x00" * 64, 3, "NUL")
    case("csv/binary-garbage.csv", bytes((i * 37 + 11) % 256 for i in range(512)), 3, "binary-garbage.csv")
    # UTF-16 and UTF-32 with a byte order mark are decoded (StreamReader detects the mark); without one the
    # NUL bytes between characters are reported.
    case("csv/utf16le-bom.csv", b"\xff\xfe" + ok.encode("utf-16-le"), 0, '"n_samples":10')
    case("csv/utf16be-bom.csv", b"\xfe\xff" + ok.encode("utf-16-be"), 0, '"n_samples":10')
    case("csv/utf16le-no-bom.csv", ok.encode("utf-16-le"), 3, "NUL", "UTF-16")
    case("csv/latin1-text.csv", "a,b\n1,2\n3,caf\xe9\n".encode("latin-1"), 3, "row 3, column 2", "is not a number")
    case("csv/non-numeric-cell.csv", "a,b\n1,2\nfoo,4\n", 3, "row 3, column 1: 'foo' is not a number")
    case("csv/hex-number.csv", "a,b\n1,0x10\n", 3, "'0x10' is not a number")
    case("csv/missing-empty-cell.csv", "a,b,c\n1,,3\n4,5,6\n", 3, "row 2, column 2: missing value ''")
    case("csv/missing-NA.csv", "a,b\n1,NA\n2,3\n", 3, "row 2, column 2: missing value 'NA'")
    case("csv/nan.csv", "a,b\n1,2\nNaN,4\n", 3, "row 3, column 1: 'NaN' is not a finite number")
    case("csv/inf.csv", "a,b\n1,inf\n2,3\n", 3, "row 2, column 2: 'inf' is not a finite number")
    case("csv/negative-infinity.csv", "a,b\n1,-Infinity\n2,3\n", 3, "'-Infinity' is not a finite number")
    case("csv/overflow-1e309.csv", "a,b\n1,1e309\n2,3\n", 3, "row 2, column 2: '1e309' is not a finite number")
    case("csv/unclosed-quote.csv", 'a,b\n1,"2\n3,4\n', 3, "row 2, column 2", "not closed")
    case("csv/text-after-quote.csv", 'a,b\n1,"2"x\n', 3, "row 2, column 2", "after its closing quote")
    case("csv/single-row.csv", "a,b\n1,2\n", 2, "at least 2 rows")
    case("csv/header-and-nan-only.csv", "a\nnan\n", 3, "'nan' is not a finite number")


# ---------------------------------------------------------------- TSV (emix fit FILE -k 1 --json)
def tsv_cases():
    ok = "a\tb\n" + ok_rows(6, "\t")
    case("tsv/ok.tsv", ok, 0, '"n_samples":6', '"n_features":2')
    case("tsv/crlf-bom.tsv", b"\xef\xbb\xbf" + ok.replace("\n", "\r\n").encode(), 0, '"n_samples":6')
    case("tsv/empty.tsv", "", 3, "no data rows")
    case("tsv/header-only.tsv", "a\tb\n", 3, "no data rows")
    case("tsv/decimal-comma.tsv", "a\tb\n1,5\t2,25\n3,0\t4,5\n", 3,
         "row 2, column 1: '1,5' is not a number", "decimal comma")
    case("tsv/thousands-separator.tsv", "a\tb\n1,234,567.5\t2\n3\t4\n", 3,
         "'1,234,567.5' is not a number", "thousands separator")
    case("tsv/ragged.tsv", "a\tb\n1\t2\n3\n", 3, "row 3: has 1 columns, expected 2")
    case("tsv/spaces-not-tabs.tsv", "a b\n1 2\n3 4\n", 3, "row 2, column 1: '1 2' is not a number")
    case("tsv/nul-bytes.tsv", "a\tb\n1\t\x00\n", 3, "NUL")
    case("tsv/nan.tsv", "a\tb\n1\tnan\n2\t3\n", 3, "'nan' is not a finite number")


# ---------------------------------------------------------------- .npy (emix fit FILE -k 1 --json)
def npy_header(descr, shape, fortran=False, version=(1, 0), pad_to=64, raw=None):
    if raw is None:
        shape_text = "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
        raw = "{'descr': %r, 'fortran_order': %s, 'shape': %s, }" % (descr, "True" if fortran else "False", shape_text)
    body = raw.encode("latin-1")
    length_size = 2 if version[0] == 1 else 4
    prefix = 6 + 2 + length_size
    total = prefix + len(body) + 1
    body += b" " * ((-total) % pad_to) + b"\n"
    length = struct.pack("<H" if length_size == 2 else "<I", len(body))
    return b"\x93NUMPY" + bytes(version) + length + body


def f8(values):
    return struct.pack("<%dd" % len(values), *values)


def npy_cases():
    grid = [1.0, 2.0, 3.0, 5.0, 4.0, 4.5, -1.0, 0.25]  # 4 rows × 2
    case("npy/ok-f8.npy", npy_header("<f8", (4, 2)) + f8(grid), 0, '"n_samples":4', '"n_features":2')
    case("npy/ok-f4.npy", npy_header("<f4", (4, 2)) + struct.pack("<8f", *grid), 0, '"n_samples":4')
    case("npy/ok-fortran.npy", npy_header("<f8", (2, 4), fortran=True) + f8(grid), 0, '"n_samples":2', '"n_features":4')
    case("npy/ok-1d.npy", npy_header("<f8", (8,)) + f8(grid), 0, '"n_samples":8', '"n_features":1')
    case("npy/ok-version3.npy", npy_header("<f8", (4, 2), version=(3, 0)) + f8(grid), 0, '"n_samples":4')
    # numpy's own np.load ignores bytes after the array; so does Emix.
    case("npy/trailing-bytes.npy", npy_header("<f8", (4, 2)) + f8(grid) + b"extra", 0, '"n_samples":4')
    case("npy/empty.npy", b"", 3, "not a NumPy .npy file")
    case("npy/magic-only.npy", b"\x93NUMPY", 3, "not a NumPy .npy file")
    case("npy/text-file.npy", "a,b\n1,2\n", 3, "not a NumPy .npy file", "magic")
    case("npy/truncated-header.npy", npy_header("<f8", (4, 2))[:30], 3, "ends inside its header")
    case("npy/truncated-length.npy", b"\x93NUMPY\x01\x00\x76", 3, "ends inside its header")
    case("npy/shape-larger-than-file.npy", npy_header("<f8", (1000, 4)) + f8(grid), 3,
         "claims shape (1000, 4)", "32000 bytes of data", "only 64 bytes")
    case("npy/claims-10GB.npy", npy_header("<f8", (335544320, 4)) + f8(grid), 3,
         "claims shape (335544320, 4)", "10737418240 bytes")
    case("npy/shape-overflows.npy", npy_header("<f8", (2 ** 62, 4)) + f8(grid), 3, "is too large")
    case("npy/shape-negative.npy", npy_header("<f8", (-1, 2)) + f8(grid), 3, "non-negative integers")
    case("npy/shape-three-d.npy", npy_header("<f8", (2, 2, 2)) + f8(grid), 3, "shape (2, 2, 2)", "1-D (n,) or 2-D (n, d)")
    case("npy/shape-scalar.npy", npy_header("<f8", ()) + f8(grid[:1]), 3, "shape ()")
    case("npy/zero-rows.npy", npy_header("<f8", (0, 3)), 3, "no data rows")
    case("npy/dtype-int64.npy", npy_header("<i8", (4, 2)) + bytes(64), 3, "unsupported dtype '<i8' (signed integer)", "astype")
    case("npy/dtype-float16.npy", npy_header("<f2", (4, 2)) + bytes(16), 3, "unsupported dtype '<f2'")
    case("npy/dtype-complex.npy", npy_header("<c16", (4, 2)) + bytes(128), 3, "unsupported dtype '<c16' (complex)")
    case("npy/big-endian.npy", npy_header(">f8", (4, 2)) + struct.pack(">8d", *grid), 3,
         "unsupported dtype '>f8' (big-endian floating point)")
    case("npy/object-array.npy", npy_header("|O", (2,)) + b"\x80\x02]q\x00(K\x01K\x02e.", 3,
         "unsupported dtype '|O' (Python objects)")
    case("npy/structured.npy", npy_header(None, None, raw="{'descr': [('a', '<f8'), ('b', '<f8')], 'fortran_order': False, 'shape': (4,), }") + f8(grid), 3,
         "structured array")
    case("npy/version-9.npy", b"\x93NUMPY\x09\x00" + npy_header("<f8", (4, 2))[8:] + f8(grid), 3, "format version 9.0 is not supported")
    case("npy/header-length-huge.npy", b"\x93NUMPY\x02\x00\xff\xff\xff\xff{}", 3, "not plausible")
    case("npy/header-not-a-dict.npy", npy_header(None, None, raw="[1, 2, 3]") + f8(grid), 3, "malformed .npy header")
    case("npy/header-no-shape.npy", npy_header(None, None, raw="{'descr': '<f8', 'fortran_order': False, }") + f8(grid), 3,
         "no 'shape' entry")
    case("npy/header-fortran-order-string.npy",
         npy_header(None, None, raw="{'descr': '<f8', 'fortran_order': 'no', 'shape': (4, 2), }") + f8(grid), 3,
         "'fortran_order' is not True or False")
    case("npy/header-shape-list.npy", npy_header(None, None, raw="{'descr': '<f8', 'fortran_order': False, 'shape': [4, 2], }") + f8(grid), 3,
         "'shape' is not a tuple")
    case("npy/header-nul-bytes.npy", npy_header(None, None, raw="{'descr': '<f8'\x00\x00, 'shape': (4, 2)}") + f8(grid), 3,
         "malformed .npy header")
    nan_grid = list(grid)
    nan_grid[2] = float("nan")
    case("npy/nan.npy", npy_header("<f8", (4, 2)) + f8(nan_grid), 3, "row 2, column 1: NaN is not a finite number")
    inf_grid = list(grid)
    inf_grid[7] = float("-inf")
    case("npy/inf.npy", npy_header("<f8", (4, 2)) + f8(inf_grid), 3, "row 4, column 2: -Infinity is not a finite number")
    case("npy/truncated-data.npy", npy_header("<f8", (4, 2)) + f8(grid)[:-3], 3, "claims shape (4, 2)", "only 61 bytes")


# ---------------------------------------------------------------- model files (emix info FILE)
def model():
    return {
        "format": "emix-gaussian-mixture",
        "version": 1,
        "covariance_type": "full",
        "n_components": 2,
        "n_features": 2,
        "feature_names": ["a", "b"],
        "weights": [0.4, 0.6],
        "means": [[0.0, 1.0], [5.0, -2.0]],
        "covariances": [[[1.0, 0.2], [0.2, 0.5]], [[2.0, -0.3], [-0.3, 1.5]]],
        "fit": {
            "converged": True, "n_iter": 3, "lower_bound": -2.5,
            "lower_bound_history": [-3.1, -2.6, -2.5],
            "n_samples": 100, "best_run": 1, "log_likelihood": -249.0, "cluster_sizes": [40, 60],
            "options": {"tol": 0.001, "reg_covar": 1e-06, "max_iter": 100, "n_init": 1,
                        "init": "kmeans", "seed": 0, "chunk_rows": 1024},
        },
    }


def dump(obj):
    return json.dumps(obj, indent=2) + "\n"


def edited(**changes):
    m = model()
    for key, value in changes.items():
        if value is DELETE:
            del m[key]
        else:
            m[key] = value
    return dump(m)


DELETE = object()


def model_cases():
    good = dump(model())
    case("model/ok.json", good, 0, "Model VVV (full", "with 2 components on 2 features")
    case("model/ok-utf8-bom.json", b"\xef\xbb\xbf" + good.encode(), 0, "Model VVV")
    # Unknown keys are ignored (a newer minor writer may add some); documented in ModelFile.cs.
    m = model()
    m["comment"] = "written by hand"
    m["fit"]["extra"] = [1, 2, 3]
    case("model/ok-extra-keys.json", dump(m), 0, "Model VVV")
    m = model()
    del m["fit"]
    case("model/ok-no-fit-section.json", dump(m), 0, "Model VVV")
    case("model/empty.json", "", 3, "model/empty.json: not valid JSON")
    case("model/truncated.json", good[: len(good) // 2], 3, "not valid JSON", "Is this an emix model file?")
    case("model/truncated-one-byte.json", good.rstrip()[:-1], 3, "not valid JSON")
    case("model/trailing-garbage.json", good + "}", 3, "not valid JSON")
    case("model/comments.json", "// a model\n" + good, 3, "not valid JSON")
    case("model/utf16.json", b"\xff\xfe" + good.encode("utf-16-le"), 3, "not valid JSON")
    case("model/nul-bytes.json", good[:40] + "\x00" + good[40:], 3, "not valid JSON")
    case("model/not-an-object.json", "[1, 2, 3]\n", 3, "expected a JSON object, found an array of 3")
    case("model/csv-instead.json", "a,b\n1,2\n", 3, "not valid JSON")
    case("model/duplicate-key.json", good.replace('"weights": [', '"weights": [0.5, 0.5],\n  "weights": [', 1), 3,
         "not valid JSON", "weights")
    case("model/deep-nesting.json", "[" * 1000 + "]" * 1000, 3, "not valid JSON", "depth")
    case("model/wrong-format.json", edited(format="sklearn-pickle"), 3, "not an emix model file")
    case("model/future-version.json", edited(version=2), 3, "model file version 2 is newer than this emix reads (version 1); upgrade emix")
    case("model/version-zero.json", edited(version=0), 3, "\"version\" is 0; expected 1 to")
    case("model/version-string.json", edited(version="1"), 3, "\"version\": expected an integer, found the string")
    case("model/unknown-covariance-type.json", edited(covariance_type="VVV-ish"), 3, "\"covariance_type\" is \"VVV-ish\"")
    case("model/missing-format.json", edited(format=DELETE), 3, "missing key \"format\"")
    case("model/missing-weights.json", edited(weights=DELETE), 3, "missing key \"weights\"")
    case("model/missing-means.json", edited(means=DELETE), 3, "missing key \"means\"")
    case("model/missing-covariances.json", edited(covariances=DELETE), 3, "missing key \"covariances\"")
    case("model/missing-feature-names.json", edited(feature_names=DELETE), 3, "missing key \"feature_names\"")
    case("model/negative-weight.json", edited(weights=[-0.4, 1.4]), 3, "weight 1 is -0.4", "[0, 1]")
    case("model/weights-do-not-sum-to-one.json", edited(weights=[0.4, 0.4]), 3, "sum to 0.8, not 1")
    case("model/weight-nan-string.json", edited(weights=["NaN", 0.6]), 3, "weights[0]: expected a finite number, found the string \"NaN\"")
    case("model/mean-1e309.json", edited(means=[[12345.678, 1.0], [5.0, -2.0]]).replace("12345.678", "1e309"), 3,
         "means[0][0]: expected a finite number, found 1e309")
    case("model/non-pd-covariance.json", edited(covariances=[[[1.0, 2.0], [2.0, 1.0]], [[2.0, -0.3], [-0.3, 1.5]]]), 3,
         "component 1", "not positive definite")
    case("model/negative-variance.json", edited(covariances=[[[-1.0, 0.0], [0.0, 1.0]], [[2.0, -0.3], [-0.3, 1.5]]]), 3,
         "component 1", "not positive definite")
    case("model/asymmetric-covariance.json", edited(covariances=[[[1.0, 0.9], [-0.9, 1.0]], [[2.0, -0.3], [-0.3, 1.5]]]), 3,
         "covariance of component 1 is not symmetric")
    case("model/means-wrong-shape.json", edited(means=[[0.0, 1.0, 2.0], [5.0, -2.0, 1.0]]), 3, "means[0]: expected 2 entries, found 3")
    case("model/means-flat.json", edited(means=[0.0, 1.0, 5.0, -2.0]), 3, "means: expected 2 entries, found 4")
    case("model/covariances-diag-shape.json", edited(covariances=[[1.0, 0.5], [2.0, 1.5]]), 3, "covariances[0][0]: expected an array of 2, found 1")
    case("model/weights-too-many.json", edited(weights=[0.2, 0.3, 0.5]), 3, "weights: expected 2 entries, found 3")
    case("model/feature-names-count.json", edited(feature_names=["a"]), 3, "feature_names: expected an array of 2 strings")
    case("model/n-components-fraction.json", edited(n_components=2.5), 3, "\"n_components\": expected an integer, found 2.5")
    case("model/n-components-zero.json", edited(n_components=0), 3, "\"n_components\" is 0")
    case("model/claims-10GB.json", edited(n_components=1250, n_features=1000), 3,
         "claim 1250000000 covariance values", "more than this emix accepts")
    case("model/claims-huge-k.json", edited(n_components=10 ** 12), 3, "\"n_components\" is 1000000000000; expected 1 to 1000000")
    # Found by fuzzing (AFL++, model target): bytes that are not UTF-8 inside a JSON string passed the
    # parser and made reading the string throw InvalidOperationException (exit 1, "internal error").
    case("model/fuzz-invalid-utf8-in-string.json", good.replace('"emix-gaussian-mixture"', '"emix-gaussian-mix'.encode().decode() + "t\udc8are\"", 1).encode("utf-8", "surrogateescape"), 3,
         "not valid JSON (a string holds bytes that are not UTF-8 text)")
    case("model/fuzz-invalid-utf8-in-feature-name.json", good.replace('"a"', '"\udcff"', 1).encode("utf-8", "surrogateescape"), 3,
         "not valid JSON (a string holds bytes that are not UTF-8 text)")
    case("model/fuzz-invalid-utf8-in-number-position.json", good.replace("0.4", '"\udcc3("', 1).encode("utf-8", "surrogateescape"), 3,
         "not valid JSON (a string holds bytes that are not UTF-8 text)")
    m = model()
    m["fit"]["lower_bound_history"] = [-3.1]
    case("model/fit-history-too-short.json", dump(m), 3, "fit.lower_bound_history: expected an array of n_iter = 3 numbers")
    m = model()
    m["fit"]["lower_bound"] = "-Infinity"
    case("model/fit-lower-bound-string.json", dump(m), 3, "fit.lower_bound: expected a finite number or null")
    m = model()
    m["fit"]["cluster_sizes"] = [-5, 105]
    case("model/fit-negative-cluster-size.json", dump(m), 3, "fit.cluster_sizes[0]: -5 is not a count")
    m = model()
    m["fit"]["options"]["tol"] = -1
    case("model/fit-negative-tol.json", dump(m), 3, "fit.options: Tolerance = -1")
    m = model()
    m["fit"]["options"]["init"] = "magic"
    case("model/fit-unknown-init.json", dump(m), 3, "fit.options.init: unknown init method \"magic\"")
    # Found by the property tests: integers in the options went through a double, so seed 2^63 - 1 failed to
    # load ("overflow") and seeds beyond 2^53 lost their low bits.
    m = model()
    m["fit"]["options"]["seed"] = 2 ** 63 - 1
    case("model/ok-seed-int64-max.json", dump(m), 0, "Model VVV")
    m = model()
    m["fit"]["options"]["seed"] = 2 ** 63
    case("model/fit-seed-beyond-int64.json", dump(m), 3, "fit.options.seed: expected an integer, found 9223372036854775808")
    m = model()
    m["fit"]["options"]["max_iter"] = 2.5
    case("model/fit-max-iter-fraction.json", dump(m), 3, "fit.options.max_iter: expected a 32-bit integer, found 2.5")
    m = model()
    del m["fit"]["n_iter"]
    case("model/fit-missing-n-iter.json", dump(m), 3, "fit: missing key \"n_iter\"")


# ------------------------------------- initial parameters (emix fit csv/ok-two-features.csv -k 2 --init-params FILE)
def init_cases():
    base = {"weights": [0.5, 0.5], "means": [[1.0, 0.0], [4.0, 1.0]],
            "covariances": [[[1.0, 0.1], [0.1, 1.0]], [[1.0, 0.0], [0.0, 2.0]]]}

    def with_(**changes):
        p = dict(base)
        for key, value in changes.items():
            if value is DELETE:
                del p[key]
            else:
                p[key] = value
        return dump(p)

    case("init/ok-all.json", dump(base), 0, '"n_samples":10')
    case("init/ok-means-only.json", dump({"means": base["means"]}), 0, '"n_samples":10')
    case("init/ok-precisions.json", with_(covariances=DELETE, precisions=[[[2.0, 0.0], [0.0, 2.0]], [[1.0, 0.0], [0.0, 1.0]]]), 0,
         '"n_samples":10')
    case("init/ok-extra-keys.json", with_(comment="ignored"), 0, '"n_samples":10')
    case("init/empty.json", "", 3, "init/empty.json: not valid JSON")
    case("init/truncated.json", dump(base)[:50], 3, "not valid JSON")
    case("init/not-an-object.json", "[0.5, 0.5]\n", 3, "expected a JSON object")
    case("init/no-known-keys.json", dump({"weight": [0.5, 0.5]}), 3, "none of the keys weights, means, covariances, precisions is present")
    case("init/duplicate-key.json", dump(base).replace('"means": [', '"means": [[0, 0], [1, 1]],\n  "means": [', 1), 3,
         "not valid JSON", "means")
    case("init/fuzz-invalid-utf8-in-string.json", with_(means=[[1.0, "PLACEHOLDER"], [4.0, 1.0]]).replace("PLACEHOLDER", "\udcfe\udcfe").encode("utf-8", "surrogateescape"), 3,
         "init/fuzz-invalid-utf8-in-string.json: not valid JSON (a string holds bytes that are not UTF-8 text)")
    case("init/means-wrong-shape.json", with_(means=[[1.0, 0.0], [4.0, 1.0], [2.0, 2.0]]), 3, "means: expected 2 entries, found 3")
    case("init/means-string.json", with_(means=[[1.0, "x"], [4.0, 1.0]]), 3, "means[0][1]: expected a finite number, found the string \"x\"")
    case("init/mean-1e309.json", with_(means=[[1.0, 0.0], [12345.678, 1.0]]).replace("12345.678", "1e309"), 3, "expected a finite number, found 1e309")
    case("init/negative-weight.json", with_(weights=[-0.5, 1.5]), 3, "init/negative-weight.json", "weight 1 is -0.5")
    case("init/weights-do-not-sum-to-one.json", with_(weights=[0.5, 0.6]), 3, "init/weights-do-not-sum-to-one.json", "sum to 1.1, not 1")
    case("init/non-pd-covariance.json", with_(covariances=[[[1.0, 3.0], [3.0, 1.0]], [[1.0, 0.0], [0.0, 2.0]]]), 3,
         "init/non-pd-covariance.json", "component 1", "not positive definite")
    case("init/asymmetric-covariance.json", with_(covariances=[[[1.0, 0.5], [0.0, 1.0]], [[1.0, 0.0], [0.0, 2.0]]]), 3,
         "covariance of component 1 is not symmetric")
    case("init/non-pd-precision.json", with_(covariances=DELETE, precisions=[[[-1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]]]), 3,
         "precision of component 1 is not positive definite")
    case("init/covariances-and-precisions.json", with_(precisions=base["covariances"]), 3,
         "init/covariances-and-precisions.json", "covariances or precisions, not both")


def main():
    for kind in KINDS:
        folder = os.path.join(ROOT, kind)
        if os.path.isdir(folder):
            shutil.rmtree(folder)
        os.makedirs(folder)
    csv_cases()
    tsv_cases()
    npy_cases()
    model_cases()
    init_cases()
    with open(os.path.join(ROOT, "expected.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("# file\texit code\tfragments of the one-line message (stderr; stdout for exit 0), one per column\n")
        for path, code, fragments in CASES:
            f.write("\t".join([path, str(code)] + fragments) + "\n")
    print(f"{len(CASES)} cases written under {ROOT}")


if __name__ == "__main__":
    main()
