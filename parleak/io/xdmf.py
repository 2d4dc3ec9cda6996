"""XDMF descriptions of dumps, so that ParaView and VisIt open them directly.

Each dump_NNNNN.h5 gets dump_NNNNN.xmf beside it (a 3DCoRectMesh whose
origin and spacing are given inline, cell-centred attributes read from the
HDF5 file), and dumps.xmf collects all dumps in the directory as a time
series. Only rank 0 calls these. `write_series_of` describes any list of
dumps from their own attributes (for `parleak post`).
"""

import glob
import os
import xml.etree.ElementTree as ET

import h5py


def _grid_element(parent, h5_name, lower, dx, cells, field_names, time):
    grid = ET.SubElement(parent, "Grid", Name=os.path.splitext(os.path.basename(h5_name))[0], GridType="Uniform")
    ET.SubElement(grid, "Time", Value=repr(float(time)))
    nodes = " ".join(str(n + 1) for n in reversed(cells))
    ET.SubElement(grid, "Topology", TopologyType="3DCoRectMesh", Dimensions=nodes)
    geometry = ET.SubElement(grid, "Geometry", GeometryType="ORIGIN_DXDYDZ")
    for values in (lower, dx):  # XDMF wants (z, y, x) order here
        item = ET.SubElement(geometry, "DataItem", Dimensions="3", NumberType="Float", Precision="8", Format="XML")
        item.text = " ".join(repr(float(v)) for v in reversed(values))
    shape = " ".join(str(n) for n in reversed(cells))
    for name in field_names:
        attribute = ET.SubElement(grid, "Attribute", Name=name, AttributeType="Scalar", Center="Cell")
        item = ET.SubElement(attribute, "DataItem", Dimensions=shape, NumberType="Float", Precision="8", Format="HDF")
        item.text = f"{h5_name}:/fields/{name}"


def _write(path, root):
    tree = ET.ElementTree(root)
    ET.indent(tree)
    partial = path + ".tmp"
    with open(partial, "wb") as stream:
        stream.write(b'<?xml version="1.0" ?>\n<!DOCTYPE Xdmf SYSTEM "Xdmf.dtd" []>\n')
        tree.write(stream, encoding="utf-8", xml_declaration=False)
    os.replace(partial, path)


def _document():
    root = ET.Element("Xdmf", Version="3.0")
    return root, ET.SubElement(root, "Domain")


def write_for_dump(h5_path, grid, field_names, time):
    root, domain = _document()
    _grid_element(domain, os.path.basename(h5_path), grid.lower, grid.dx, grid.cells, field_names, time)
    _write(os.path.splitext(h5_path)[0] + ".xmf", root)


def write_series(directory):
    """dumps.xmf: the grids of every dump_NNNNN.xmf in `directory` whose
    dump_NNNNN.h5 exists, as one time series."""
    root, series = _series()
    for path in sorted(glob.glob(os.path.join(glob.escape(directory), "dump_[0-9]*.xmf"))):
        if os.path.exists(os.path.splitext(path)[0] + ".h5"):
            series.append(ET.parse(path).getroot().find("Domain/Grid"))
    _write(os.path.join(directory, "dumps.xmf"), root)


def _series():
    root, domain = _document()
    return root, ET.SubElement(domain, "Grid", Name="dumps", GridType="Collection", CollectionType="Temporal")


def write_series_of(dump_paths, path):
    """The XDMF file `path`: the dumps `dump_paths` as one time series (in
    that order), each described from its own attributes and referenced
    relative to the directory of `path`."""
    root, series = _series()
    for h5_path in dump_paths:
        with h5py.File(h5_path, "r") as h5:
            cells = [int(n) for n in h5.attrs["cells"]]
            lower, upper, time = h5.attrs["lower"], h5.attrs["upper"], h5.attrs["time"]
            names = list(h5["fields"])
        dx = [(u - lo) / n for lo, u, n in zip(lower, upper, cells)]
        reference = os.path.relpath(os.path.abspath(h5_path), os.path.dirname(os.path.abspath(path)))
        _grid_element(series, reference, lower, dx, cells, names, time)
    _write(path, root)
