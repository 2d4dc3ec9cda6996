"""XDMF descriptions of dumps, so that ParaView and VisIt open them directly.

Each dump_NNNNN.h5 gets dump_NNNNN.xmf beside it and dumps.xmf collects
all dumps in the directory as a time series. A uniform grid is a
3DCoRectMesh whose origin and spacing are given inline (ORIGIN_DXDYDZ); a
stretched one is a rectilinear mesh (3DRectMesh with VXVYVZ geometry,
2DRectMesh with VXVY for 1-D and 2-D grids) whose node coordinates are the
dump's /grid/faces_x, faces_y, faces_z datasets. The fields are
cell-centred attributes read from the HDF5 file. Element and attribute
names follow the XDMF2 model (https://www.xdmf.org/index.php/XDMF_Model_and_Format).
Only rank 0 calls these. `write_series_of` describes any list of dumps
from their own attributes and datasets (for `parleak post`).
"""

import glob
import os
import xml.etree.ElementTree as ET

import h5py


def _item(parent, dimensions, text, data_format):
    item = ET.SubElement(parent, "DataItem", Dimensions=dimensions, NumberType="Float", Precision="8",
                         Format=data_format)
    item.text = text
    return item


def _grid_element(parent, h5_name, cells, field_names, time, uniform=None, dim=3):
    """A Grid element for the dump `h5_name` of `cells` (x, y, z): with
    uniform = (lower, dx) a 3DCoRectMesh; with None a rectilinear mesh of
    `dim` axes (1-D grids as 2-D ones) on the dump's faces datasets."""
    grid = ET.SubElement(parent, "Grid", Name=os.path.splitext(os.path.basename(h5_name))[0], GridType="Uniform")
    ET.SubElement(grid, "Time", Value=repr(float(time)))
    if uniform is None:
        axes = "xyz"[: max(dim, 2)]
        nodes = " ".join(str(cells[a] + 1) for a in reversed(range(len(axes))))
        ET.SubElement(grid, "Topology", TopologyType=f"{len(axes)}DRectMesh", Dimensions=nodes)
        geometry = ET.SubElement(grid, "Geometry", GeometryType="V" + "V".join(axes.upper()))
        for a, axis in enumerate(axes):  # VX first
            _item(geometry, str(cells[a] + 1), f"{h5_name}:/grid/faces_{axis}", "HDF")
    else:
        nodes = " ".join(str(n + 1) for n in reversed(cells))
        ET.SubElement(grid, "Topology", TopologyType="3DCoRectMesh", Dimensions=nodes)
        geometry = ET.SubElement(grid, "Geometry", GeometryType="ORIGIN_DXDYDZ")
        for values in uniform:  # XDMF wants (z, y, x) order here
            _item(geometry, "3", " ".join(repr(float(v)) for v in reversed(values)), "XML")
    shape = " ".join(str(n) for n in reversed(cells))
    for name in field_names:
        attribute = ET.SubElement(grid, "Attribute", Name=name, AttributeType="Scalar", Center="Cell")
        _item(attribute, shape, f"{h5_name}:/fields/{name}", "HDF")


def _write(path, root):
    tree = ET.ElementTree(root)
    ET.indent(tree)
    partial = os.fspath(path) + ".tmp"
    with open(partial, "wb") as stream:
        stream.write(b'<?xml version="1.0" ?>\n<!DOCTYPE Xdmf SYSTEM "Xdmf.dtd" []>\n')
        tree.write(stream, encoding="utf-8", xml_declaration=False)
    os.replace(partial, path)


def _document():
    root = ET.Element("Xdmf", Version="3.0")
    return root, ET.SubElement(root, "Domain")


def write_for_dump(h5_path, grid, field_names, time):
    root, domain = _document()
    uniform = (grid.lower, grid.dx) if grid.uniform else None
    _grid_element(domain, os.path.basename(h5_path), grid.cells, field_names, time, uniform, grid.dim)
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
    that order), each described from its own attributes (a dump without
    the spacing attribute, written before stretched grids, is uniform) and
    referenced relative to the directory of `path`."""
    root, series = _series()
    for h5_path in dump_paths:
        with h5py.File(h5_path, "r") as h5:
            cells = [int(n) for n in h5.attrs["cells"]]
            lower, upper, time = h5.attrs["lower"], h5.attrs["upper"], h5.attrs["time"]
            names = list(h5["fields"])
            stretched = h5.attrs.get("spacing", "uniform") != "uniform"
            dim = int(h5.attrs["dim"])
        uniform = None if stretched else (lower, [(u - lo) / n for lo, u, n in zip(lower, upper, cells)])
        reference = os.path.relpath(os.path.abspath(h5_path), os.path.dirname(os.path.abspath(path)))
        _grid_element(series, reference, cells, names, time, uniform, dim)
    _write(path, root)
