"""Reading a frame's dtypes as short names, to compare with a contract written out by hand."""

from __future__ import annotations

import pandas as pd


def dtype_names(frame: pd.DataFrame) -> dict[str, str]:
    """``{column: name}`` with names 'int64', 'Int64', 'float64', 'bool', 'str',
    'category', 'object', 'datetime64[ns]' and 'datetime64[ns, UTC]'."""
    names = {}
    for column, dtype in frame.dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype):
            names[column] = "category"
        elif isinstance(dtype, pd.StringDtype):
            names[column] = "str"
        else:
            names[column] = str(dtype)
    return names
