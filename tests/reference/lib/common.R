# Helpers shared by the R reference scripts in tests/reference/. Each script sources this file
# (scripts run from the repository root):
#   source(file.path("tests", "reference", "lib", "common.R"))
# It lives in lib/ so that regenerate.sh, which runs tests/reference/*.R, does not run it. It
# attaches no package (jsonlite is called as jsonlite::toJSON).
#
# jsonlite prints at most 15 significant digits, so numbers that must round-trip exactly are
# written as text with sprintf("%.17g") by the helpers below.

# The strings written for +Inf / -Inf (JSON has no infinity): "Infinity"/"-Infinity" (Rust's and
# Python's spelling) or R's "Inf"/"-Inf". Both are read by the Rust tests.
JSON_INFINITY <- c('"Infinity"', '"-Infinity"')
JSON_INF <- c('"Inf"', '"-Inf"')

# A numeric vector as JSON number texts, element by element: NA/NaN -> null, +-Inf -> inf[1] /
# inf[2] when `inf` is given (without it, sprintf's unquoted Inf/-Inf), others with 17 significant
# digits.
fmt17 <- function(x, inf = NULL) {
  if (is.null(inf)) return(ifelse(is.na(x), "null", sprintf("%.17g", x)))
  ifelse(is.na(x), "null",
         ifelse(is.infinite(x), ifelse(x > 0, inf[1], inf[2]), sprintf("%.17g", x)))
}

# One number as JSON text: NULL, a length-0 value, NA and NaN -> null; +-Inf -> inf[1] / inf[2].
jnum <- function(x, inf = JSON_INFINITY) {
  if (length(x) == 0 || is.na(x)) return("null")
  if (is.infinite(x)) return(if (x > 0) inf[1] else inf[2])
  sprintf("%.17g", x)
}

# Verbatim JSON for jsonlite::toJSON(..., json_verbatim = TRUE): a number (json_num) or an array
# of numbers (json_vec) with 17 significant digits, NA/NaN as null.
json_num <- function(x) structure(fmt17(x), class = "json")
json_vec <- function(x) structure(paste0("[", paste(fmt17(x), collapse = ","), "]"), class = "json")

# A one-line JSON object from a named list of JSON texts: {"k1": v1, "k2": v2}.
json_obj <- function(fields) {
  paste0("{", paste0('"', names(fields), '": ', unlist(fields), collapse = ", "), "}")
}

# Versions to record in a JSON file: list(R = r, <pkg> = "<version>", ...) in the order given.
pkg_version <- function(pkg) as.character(packageVersion(pkg))
pkg_versions <- function(pkgs, r = R.version.string) {
  c(list(R = r), setNames(lapply(pkgs, pkg_version), pkgs))
}
# R's version as "major.minor", e.g. "4.2.2".
r_short_version <- function() paste(R.version$major, R.version$minor, sep = ".")

# Write x with jsonlite, pretty-printed, length-1 vectors unboxed; `...` goes to toJSON.
write_pretty_json <- function(x, path, ...) {
  writeLines(jsonlite::toJSON(x, auto_unbox = TRUE, pretty = TRUE, ...), path)
}

# A nested list as pretty JSON: named lists are objects, unnamed lists arrays, numbers through
# jnum (17 significant digits, null for NA, "Infinity" for Inf); arr(x) marks a numeric vector
# written as one array (even of length 1), sarr(x) a character vector likewise. Shared by km.R,
# logrank.R and rmst.R.
to_json <- function(x, indent = "") {
  inner <- paste0(indent, " ")
  if (is.null(x)) return("null")
  if (inherits(x, "jarray")) return(paste0("[", paste(vapply(unclass(x), jnum, ""), collapse = ","), "]"))
  if (inherits(x, "sarray")) return(as.character(jsonlite::toJSON(as.character(unclass(x)))))
  if (is.list(x)) {
    if (!is.null(names(x))) {
      items <- vapply(names(x), function(k)
        paste0(inner, jsonlite::toJSON(k, auto_unbox = TRUE), ": ", to_json(x[[k]], inner)), "")
      return(paste0("{\n", paste(items, collapse = ",\n"), "\n", indent, "}"))
    }
    items <- vapply(x, function(v) paste0(inner, to_json(v, inner)), "")
    return(paste0("[\n", paste(items, collapse = ",\n"), "\n", indent, "]"))
  }
  if (is.character(x)) {
    if (length(x) == 1) return(as.character(jsonlite::toJSON(x, auto_unbox = TRUE)))
    return(as.character(jsonlite::toJSON(x)))
  }
  if (is.logical(x) && length(x) == 1 && !is.na(x)) return(if (x) "true" else "false")
  if (length(x) == 1) return(jnum(x))
  paste0("[", paste(vapply(x, jnum, ""), collapse = ","), "]")
}
arr <- function(x) structure(as.numeric(x), class = "jarray")
sarr <- function(x) structure(as.character(x), class = "sarray")
