#!/usr/bin/env python3
"""Writes the bad-input corpus (tests/corpus/*.csv) and its expectations (expect.tsv).

Each file is the small good trial file below with one class of defect. expect.tsv says, for each
file, which commands read it (describe, responders, change, incidence, ae, report), the exit status
they must end with and a fragment of the message. tests/bad_input.rs runs every line.
Run from the repository root: python3 tests/corpus/make_corpus.py
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = "id,arm,b,f,e,t,soc,term,age"
ROWS = [
    "1,A,10,5,1,2.5,Gastro,Nausea,40", "2,A,12,6,0,3.0,Gastro,Vomiting,51", "3,A,9,9,2,1.5,Nervous,Headache,47",
    "4,A,11,4,0,2.0,Gastro,Nausea,62", "5,A,14,8,1,2.5,Nervous,Dizziness,38", "6,A,8,7,0,3.5,Skin,Rash,55",
    "7,B,10,9,0,2.5,Gastro,Nausea,44", "8,B,13,12,1,3.0,Nervous,Headache,59", "9,B,9,8,0,2.0,Skin,Rash,36",
    "10,B,12,12,3,1.5,Gastro,Vomiting,50", "11,B,11,10,0,2.5,Nervous,Headache,61", "12,B,10,8,1,3.0,Gastro,Nausea,45",
]
ALL = "describe,responders,change,incidence,ae,report"
NUMERIC_B = "responders,change,report"   # commands that read column b as a number
ARMS = "responders,change,incidence,ae,report"   # commands that resolve arms

cases = []  # (file name, bytes, commands, exit status, fragment)


def text(rows, header=HEADER, nl="\n"):
    return (nl.join([header] + rows) + nl).encode()


def with_row(i, row):
    rows = list(ROWS)
    rows[i] = row
    return rows


def add(name, data, commands, status, fragment):
    cases.append((name, data, commands, status, fragment))


add("good.csv", text(ROWS), ALL, 0, "")
# Rows that do not fit the header: never read by position, never padded.
add("decimal_comma.csv", text(with_row(2, "3,A,9,9,5,1,2,Nervous,Headache,47")), ALL, 3, "4: row '3,A,9,9,5,1,2,Nervous,Headache,47': 10 fields but the header has 9; likely cause: a decimal comma")
add("short_row.csv", text(with_row(4, "5,A,14,8,1,2.5,Nervous,Dizziness")), ALL, 3, "6: row '5,A,14,8,1,2.5,Nervous,Dizziness': 8 fields but the header has 9; likely cause: a missing field")
add("other_delimiter.csv", text(with_row(6, "7;B;10;9;0;2.5;Gastro;Nausea;44")), ALL, 3, "8: row '7;B;10;9;0;2.5;Gastro;Nausea;44': 1 fields but the header has 9; likely cause: the header is delimited by ',' but this row seems to use ';'")
add("unclosed_quote.csv", text(ROWS[:11] + ['12,B,10,8,1,3.0,Gastro,"Nausea,45', "13,B,10,8,1,3.0,Gastro,Nausea,45"]), ALL, 3, "quote that is not closed")
# Encodings.
add("latin1.csv", text(with_row(0, "1,A,10,5,1,2.5,Gastro,Naus\xe9e,40")).replace(b"Naus\xc3\xa9e", b"Naus\xe9e"), ALL, 3, "2: column 'term' = 'Naus\ufffde': invalid UTF-8 (byte 0xE9)")
add("utf16_no_bom.csv", text(ROWS).decode().encode("utf-16-le"), ALL, 2, "contains NUL bytes")
add("utf16_bom.csv", b"\xff\xfe" + text(ROWS, nl="\r\n").decode().encode("utf-16-le"), ALL, 0, "")
add("cr_only.csv", text(ROWS, nl="\r"), ALL, 0, "")
add("empty.csv", b"", ALL, 2, "empty file")
add("duplicate_header.csv", text(ROWS, header="id,arm,b,f,e,t,soc,term,b"), ALL, 2, "column 'b' appears twice")
# Values.
add("not_a_number.csv", text(with_row(3, "4,A,x1,4,0,2.0,Gastro,Nausea,62")), NUMERIC_B, 3, "5: column 'b' = 'x1': not a number")
add("infinite.csv", text(with_row(3, "4,A,inf,4,0,2.0,Gastro,Nausea,62")), NUMERIC_B, 3, "5: column 'b' = 'inf': an infinite value")
add("overflow.csv", text(with_row(3, "4,A,1e400,4,0,2.0,Gastro,Nausea,62")), NUMERIC_B, 3, "5: column 'b' = '1e400': an infinite value or a number too large")
add("overflowing_sum.csv", text(with_row(0, "1,A,10,1e308,1,2.5,Gastro,Nausea,40")[:1] + with_row(1, "2,A,12,1e308,0,3.0,Gastro,Vomiting,51")[1:]), "responders,change,report", 3, "values this large overflow")
add("person_time_inf.csv", text(with_row(3, "4,A,11,4,0,1e999,Gastro,Nausea,62")), "incidence", 3, "5: column 't' = '1e999': an infinite value")
add("person_time_sum.csv", text(with_row(0, "1,A,10,5,1,1e308,Gastro,Nausea,40")[:1] + with_row(1, "2,A,12,6,0,1e308,Gastro,Vomiting,51")[1:]), "incidence", 3, "column 't' = 'A': the person-time of this group sums to more than a double holds")
add("count_nan.csv", text(with_row(3, "4,A,11,4,NaN,2.0,Gastro,Nausea,62")), "describe,responders,change,incidence,ae,report", 0, "")
add("decimal_comma_quoted.csv", text(with_row(3, '4,A,"11,5",4,0,2.0,Gastro,Nausea,62')), NUMERIC_B, 3, "column 'b' = '11,5': not a number: a decimal comma?")
add("many_problems.csv", text(ROWS + [f"{13 + i},A,bad{i},4,0,2.0,Gastro,Nausea,62" for i in range(25)]), NUMERIC_B, 3, "25 problems")
add("long_value.csv", text(with_row(3, "4,A," + "9" * 5000 + "x,4,0,2.0,Gastro,Nausea,62")), NUMERIC_B, 3, "9" * 80 + "…'")
add("control_chars.csv", text(with_row(3, "4,A,1\x1b[31m,4,0,2.0,Gastro,Nausea,62")), NUMERIC_B, 3, "'1\\u{1b}[31m'")
# Covariates (change --covariates age): a numeric covariate with text in it is an error, never a
# factor with a level per value; NaN is missing; an all-text covariate is categorical.
add("covariate_mixed.csv", text(with_row(3, "4,A,11,4,0,2.0,Gastro,Nausea,6O")), "ancova", 3, "5: column 'age' = '6O': covariate 'age' holds 11 numbers and 1 other value: fix them, or write factor(age)")
add("covariate_infinite.csv", text(with_row(3, "4,A,11,4,0,2.0,Gastro,Nausea,inf")), "ancova", 3, "5: column 'age' = 'inf': an infinite value")
add("covariate_nan.csv", text(with_row(3, "4,A,11,4,0,2.0,Gastro,Nausea,NaN")), "ancova", 0, "")
# Arm labels differing only in case or spaces.
add("arm_variants.csv", text(with_row(7, "8,b,13,12,1,3.0,Nervous,Headache,59")[:8] + [r.replace(",B,", ",B ,") if r.startswith("9,") else r for r in ROWS[8:]]), ARMS, 3, "arm labels that differ only in case or spaces: 'B' (4 rows), 'B ' (1 row), 'b' (1 row)")

with open(os.path.join(HERE, "expect.tsv"), "w", encoding="utf-8") as out:
    out.write("# file\tcommands\texit\tmessage fragment (empty: none checked)\n")
    for name, data, commands, status, fragment in cases:
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
        out.write(f"{name}\t{commands}\t{status}\t{fragment}\n")
print(f"{len(cases)} files")
