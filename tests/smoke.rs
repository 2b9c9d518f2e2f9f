mod common;

#[test]
fn asem_fixture_loads() {
    let fw = common::asem_framework();
    assert_eq!(fw.indicators().len(), 49);
    assert_eq!(fw.max_level(), 4);
    let ds = common::asem_dataset(&fw);
    assert_eq!(ds.n_units(), 51);
}
